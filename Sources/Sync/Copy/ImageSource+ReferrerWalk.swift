// SPDX-License-Identifier: Apache-2.0
import Layout

extension ImageSource {
    /// Walks the referrers reachable from `subjects` breadth-first (referrers of referrers too), each once, a
    /// subject always before its referrers. `artifactTypes`, when not empty, filters the first level only:
    /// whatever is attached to a kept referrer (its signatures) comes along.
    /// - Parameter visit: called with each referrer and the subject it was found under; returning false ends
    ///   the walk.
    func walkReferrers(
        of subjects: [Digest], artifactTypes: [MediaType],
        _ visit: (_ subject: Digest, _ referrer: Referrer) throws(SyncError) -> Bool
    ) throws(SyncError) {
        var visited = Set(subjects)
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
                    guard try visit(subject, referrer) else { return }
                    next.append(descriptor.digest)
                }
            }
            level = next
            top = false
        }
    }
}
