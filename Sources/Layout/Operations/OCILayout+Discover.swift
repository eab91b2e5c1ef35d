// SPDX-License-Identifier: Apache-2.0

extension OCILayout {
    /// The referrers of a manifest and, recursively, their referrers (signatures of SBOMs), as a tree.
    ///
    /// The `artifactType` filter applies to the top level only: asking for SBOMs gives each SBOM with
    /// everything attached to it (its signatures, whatever their type). The walk is cycle-safe: a manifest
    /// already on the path from the root is not expanded again (cycles can only come from hand-made
    /// `sha256-<hex>` fallback indexes, since a digest cannot cover itself).
    /// - Parameters:
    ///   - digest: the subject.
    ///   - artifactType: keep only direct referrers of this artifact type.
    ///   - depth: how many levels to return; 1 gives the direct referrers only, 0 nothing.
    /// - Returns: the direct referrers in index.json order, each with its own referrers nested.
    public func referrerTree(of digest: Digest, artifactType: MediaType? = nil, depth: Int = 8)
        throws(LayoutError) -> [ReferrerNode]
    {
        var path: Set<Digest> = [digest]
        return try referrerNodes(of: digest, artifactType: artifactType, depth: depth, path: &path)
    }

    private func referrerNodes(of digest: Digest, artifactType: MediaType?, depth: Int, path: inout Set<Digest>)
        throws(LayoutError) -> [ReferrerNode]
    {
        guard depth > 0 else { return [] }
        var nodes: [ReferrerNode] = []
        for referrer in try referrers(of: digest, artifactType: artifactType) where !path.contains(referrer.digest) {
            path.insert(referrer.digest)
            let below = try referrerNodes(of: referrer.digest, artifactType: nil, depth: depth - 1, path: &path)
            path.remove(referrer.digest)
            nodes.append(ReferrerNode(descriptor: referrer, referrers: below))
        }
        return nodes
    }

    /// Every referrer reachable from `subjects` (referrers of referrers included), each once, a subject always
    /// before its referrers. `artifactTypes`, when not empty, filters the direct referrers of `subjects` only;
    /// everything attached to a kept referrer comes along.
    func referrerEdges(of subjects: [Digest], artifactTypes: [MediaType] = []) throws(LayoutError) -> [ReferrerEdge] {
        var visited = Set(subjects)
        var edges: [ReferrerEdge] = []
        var level = subjects
        var top = true
        while !level.isEmpty {
            var next: [Digest] = []
            for subject in level {
                for referrer in try referrers(of: subject) where visited.insert(referrer.digest).inserted {
                    if top, !artifactTypes.isEmpty, !artifactTypes.contains(where: { $0 == referrer.artifactType }) {
                        visited.remove(referrer.digest)
                        continue
                    }
                    edges.append(ReferrerEdge(subject: subject, referrer: referrer))
                    next.append(referrer.digest)
                }
            }
            level = next
            top = false
        }
        return edges
    }
}
