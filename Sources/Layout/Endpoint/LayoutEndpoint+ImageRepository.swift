// SPDX-License-Identifier: Apache-2.0

/// A layout's tags and manifests, changed in index.json under its lock (today's layout operations).
extension LayoutEndpoint: ImageRepository {
    @discardableResult
    public func tag(_ tag: String, to descriptor: Descriptor) throws(LayoutError) -> Digest? {
        try layout.tag(tag, to: descriptor)
    }

    @discardableResult
    public func untag(_ tag: String) throws(LayoutError) -> Descriptor {
        try layout.untag(tag)
    }

    /// Removes the manifest from index.json with its tags; its blobs go at the next `gc`.
    @discardableResult
    public func deleteManifest(_ digest: Digest) throws(LayoutError) -> [String]? {
        try layout.removeManifest(digest)
    }

    /// The manifest and, with `withReferrers`, its referrers leave index.json in one update; without, the
    /// referrers left behind (listed untagged) are counted.
    public func removeImage(_ digest: Digest, withReferrers: Bool) throws(LayoutError) -> ImageRemoval {
        if withReferrers {
            let (tags, referrers) = try layout.removeManifestWithReferrers(digest)
            return ImageRemoval(digest: digest, tags: tags, referrers: referrers, referrersLeft: 0)
        }
        let left = LayoutEndpoint.count(try layout.referrerTree(of: digest))
        let tags = try layout.removeManifest(digest)
        return ImageRemoval(digest: digest, tags: tags, referrers: [], referrersLeft: left)
    }

    /// The referrers in a tree, at every depth.
    private static func count(_ nodes: [ReferrerNode]) -> Int {
        nodes.reduce(0) { $0 + 1 + count($1.referrers) }
    }
}
