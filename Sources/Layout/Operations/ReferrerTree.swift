// SPDX-License-Identifier: Apache-2.0

/// One referrer of a manifest and, nested, the referrers of that referrer (e.g. an SBOM and the signature
/// on the SBOM), as `ocitool discover` shows them.
public struct ReferrerNode: Codable, Sendable, Hashable {
    /// The referrer as the referrers API lists it: media type, digest, size, artifact type, annotations.
    public var descriptor: Descriptor
    /// The referrers whose subject is this referrer.
    public var referrers: [ReferrerNode]

    public init(descriptor: Descriptor, referrers: [ReferrerNode] = []) {
        self.descriptor = descriptor
        self.referrers = referrers
    }

    /// This node and every node below it, depth first.
    public var flattened: [ReferrerNode] { [self] + referrers.flatMap(\.flattened) }
}

/// One edge found while walking referrers: `referrer` has `subject` as its subject.
struct ReferrerEdge {
    let subject: Digest
    let referrer: Descriptor

    /// The descriptor an index.json lists for the referrer: as the referrers API gives it, plus ocitool's
    /// subject annotation, so the referrer is found again without opening it.
    var indexEntry: Descriptor {
        var entry = referrer
        entry.annotations = (entry.annotations ?? [:]).merging([Annotation.subject: subject.description]) { $1 }
        entry.annotations?.removeValue(forKey: Annotation.refName)
        return entry
    }
}
