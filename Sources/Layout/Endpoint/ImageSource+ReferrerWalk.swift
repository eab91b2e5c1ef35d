// SPDX-License-Identifier: Apache-2.0
/// The most referrers one walk follows: far more than any image carries (each is a manifest request).
public let referrerLimit = 10_000

extension ImageSource {
    /// Walks the referrers reachable from `subjects` breadth-first (referrers of referrers too), each once, a
    /// subject always before its referrers. `artifactTypes`, when not empty, filters the first level only:
    /// whatever is attached to a kept referrer (its signatures) comes along.
    /// - Parameter visit: called with each referrer and the subject it was found under; returning false ends
    ///   the walk.
    /// - Throws: `LayoutError.tooManyReferrers` past `limit` referrers: a source that keeps inventing them (each referrer
    ///   with referrers of its own) cannot keep a copy busy forever.
    package func walkReferrers(
        of subjects: [Digest], artifactTypes: [MediaType], limit: Int = referrerLimit,
        _ visit: (_ subject: Digest, _ referrer: Referrer) throws -> Bool
    ) throws {
        var visited = Set(subjects)
        var walked = 0
        var level = subjects
        var top = true
        while !level.isEmpty {
            var next: [Digest] = []
            for subject in level {
                for referrer in try referrers(of: subject) {
                    let descriptor = referrer.descriptor
                    if top, !artifactTypes.isEmpty, !artifactTypes.contains(where: { $0 == descriptor.artifactType }) {
                        continue
                    }
                    guard visited.insert(descriptor.digest).inserted else { continue }
                    walked += 1
                    if walked > limit {
                        throw LayoutError.tooManyReferrers(source: description, image: subjects[0], limit: limit)
                    }
                    guard try visit(subject, referrer) else { return }
                    next.append(descriptor.digest)
                }
            }
            level = next
            top = false
        }
    }

    /// The referrers of `digest` as a tree (`ReferrerNode.tree`), as `ocitool discover` shows them.
    /// - Throws: `LayoutError.tooManyReferrers` past `limit` referrers listed in all (a referrer under two subjects is
    ///   listed under each).
    public func referrerTree(of digest: Digest, artifactType: MediaType?, limit: Int = referrerLimit)
        throws -> [ReferrerNode]
    {
        var listed = 0
        return try ReferrerNode.tree(of: digest, artifactType: artifactType) { (subject) in
            let referrers = try self.referrers(of: subject).map(\.descriptor)
            listed += referrers.count
            if listed > limit { throw LayoutError.tooManyReferrers(source: description, image: digest, limit: limit) }
            return referrers
        }
    }
}
