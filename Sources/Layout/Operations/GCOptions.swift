// SPDX-License-Identifier: Apache-2.0

/// What `OCILayout.collectGarbage(_:)` may remove.
public struct GCOptions: Sendable, Hashable {
    /// Plan only: change nothing and report what would be removed.
    public var dryRun: Bool
    /// Seconds during which a blob or temporary file is spared after its last modification, so that pushes in
    /// flight (blobs written, manifest not yet listed in index.json) never lose anything.
    public var grace: Double
    /// Also drop untagged manifests (entries without a tag that are not referrers) from index.json, and then
    /// their blobs.
    public var untagged: Bool

    /// - Parameters:
    ///   - dryRun: report the plan without changing anything.
    ///   - grace: seconds a young blob or temporary file is spared (default one hour).
    ///   - untagged: drop untagged, non-referrer manifests too.
    public init(dryRun: Bool = false, grace: Double = 3600, untagged: Bool = false) {
        self.dryRun = dryRun
        self.grace = grace
        self.untagged = untagged
    }
}
