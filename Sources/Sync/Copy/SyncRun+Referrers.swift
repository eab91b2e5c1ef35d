// SPDX-License-Identifier: Apache-2.0
import Layout

extension SyncRun {
    /// Copies every referrer reachable from `subjects` (referrers of referrers too), a subject always before
    /// its referrers, each once. `artifactTypes`, when not empty, filters the first level only: whatever is
    /// attached to a kept referrer (its signatures) comes along. A cosign legacy referrer is stored under its
    /// tag; the others are listed untagged (a layout indexes their subject; a registry without the referrers
    /// API gets the fallback tag updated).
    func copyReferrers(of subjects: [Digest]) throws(SyncError) {
        let artifactTypes = options.copy.artifactTypes
        var visited = Set(subjects)
        var level = subjects
        var top = true
        while !level.isEmpty {
            var next: [Digest] = []
            for subject in level {
                for referrer in try source.referrers(of: subject) {
                    let descriptor = referrer.descriptor
                    if top, !artifactTypes.isEmpty, !artifactTypes.contains(where: { $0 == descriptor.artifactType }) {
                        continue
                    }
                    guard visited.insert(descriptor.digest).inserted else { continue }
                    let manifest = try source.manifest(descriptor)
                    try copyClosure(descriptor, manifest, role: referrer.legacyTag.map { .tagged($0) } ?? .root)
                    counters.withLock { $0.referrersCopied += 1 }
                    next.append(descriptor.digest)
                }
            }
            level = next
            top = false
        }
    }
}
