// SPDX-License-Identifier: Apache-2.0

extension OCILayout {
    /// The referrers of a manifest and, recursively, their referrers, as a tree (`ReferrerNode.tree`), in
    /// index.json order.
    public func referrerTree(of digest: Digest, artifactType: MediaType? = nil, depth: Int = 8)
        throws(LayoutError) -> [ReferrerNode]
    {
        try ReferrerNode.tree(of: digest, artifactType: artifactType, depth: depth) { (subject) throws(LayoutError) in
            try referrers(of: subject)
        }
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
