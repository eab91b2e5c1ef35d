// SPDX-License-Identifier: Apache-2.0

/// A tag that an operation re-pointed from one manifest to another.
public struct TagMove: Codable, Sendable, Hashable {
    public var tag: String
    /// The manifest the tag pointed at before (it stays in the layout, untagged unless other tags hold it, with
    /// its referrers).
    public var from: Digest
    public var to: Digest

    public init(tag: String, from: Digest, to: Digest) {
        self.tag = tag
        self.from = from
        self.to = to
    }
}
