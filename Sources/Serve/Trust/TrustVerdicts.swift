// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout

/// Trust verdicts per repository and manifest digest, each kept with the version of the repository's
/// index.json it was reached under.
///
/// A verdict depends on the manifest (immutable by digest) and on the signatures the repository holds, which
/// arrive as index.json changes: a `sha256-<hex>.sig` tag, a referrer listed untagged, a tag or signature
/// deleted, by this server or by the CLI writing beside it. So a verdict answers only while index.json still
/// has the version it was reached under, and a push of a referrer or `.sig` tag also drops its subject's verdict
/// at once (`invalidate`). Verifying again costs a few small reads and one signature check per candidate.
final class TrustVerdicts: @unchecked Sendable {
    /// One verdict.
    struct Verdict: Sendable {
        /// index.json's version when it was reached.
        let version: IndexVersion
        /// Why the manifest is refused; nil when it may be served.
        let refusal: String?
    }

    private struct Key: Hashable {
        let repository: String
        let digest: Digest
    }

    /// Guards `entries`; never held across I/O.
    private let lock = NSLock()
    private var entries: [Key: Verdict] = [:]
    /// Most verdicts kept (arbitrary ones are dropped past it).
    let capacity: Int

    init(capacity: Int = 65536) { self.capacity = capacity }

    /// The verdict for `digest` in `repository` while index.json still has `version`.
    func verdict(_ digest: Digest, in repository: String, version: IndexVersion) -> Verdict? {
        let key = Key(repository: repository, digest: digest)
        return lock.withLock {
            guard let verdict = entries[key] else { return nil }
            guard verdict.version == version else {
                entries.removeValue(forKey: key)
                return nil
            }
            return verdict
        }
    }

    /// Keeps a verdict.
    func insert(_ verdict: Verdict, for digest: Digest, in repository: String) {
        lock.withLock {
            if entries.count >= capacity, let victim = entries.keys.first { entries.removeValue(forKey: victim) }
            entries[Key(repository: repository, digest: digest)] = verdict
        }
    }

    /// Drops the verdict of `digest` in `repository`: a signature for it just arrived.
    func invalidate(_ digest: Digest, in repository: String) {
        _ = lock.withLock { entries.removeValue(forKey: Key(repository: repository, digest: digest)) }
    }
}
