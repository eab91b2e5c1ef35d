// SPDX-License-Identifier: Apache-2.0
extension CopyRun {
    /// Copies every referrer reachable from `subjects` (referrers of referrers too), a subject always before
    /// its referrers, each once. `artifactTypes`, when not empty, filters the first level only: whatever is
    /// attached to a kept referrer (its signatures) comes along. A cosign legacy referrer is stored under its
    /// tag; the others are listed untagged (a layout indexes their subject; a registry without the referrers
    /// API gets the fallback tag updated).
    func copyReferrers(of subjects: [Digest]) throws {
        try source.walkReferrers(of: subjects, artifactTypes: options.artifactTypes) { (_, referrer) in
            let manifest = try source.manifest(referrer.descriptor)
            let role: ManifestRole = referrer.legacyTag.map { .tagged($0) } ?? .root
            // Counted only when new: a second tag of the same image finds its referrers there already.
            if try copyClosure(referrer.descriptor, manifest, role: role).stored {
                counters.withLock { $0.referrersCopied += 1 }
            }
            return true
        }
    }
}
