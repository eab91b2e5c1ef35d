// SPDX-License-Identifier: Apache-2.0
import Foundation
import Glibc
import Layout
import NIOConcurrencyHelpers
import Scan

/// Applies the pull policy to manifest GET and HEAD: an image whose last scan left a finding at or above the
/// policy's severity (after the allowlist) is refused with 403 DENIED naming the policy and the worst finding.
/// Artifacts (signatures, SBOMs: manifests with a subject, an artifact type or a non-image config) stay readable.
///
/// Verdicts are cached per repository and digest, dropped when the digest is scanned again, and kept no longer
/// than the earliest expiry of an allow entry they relied on.
final class PolicyGate: Sendable {
    let policy: PullPolicy
    private let verdicts = NIOLockedValueBox<[Digest: [String: Verdict]]>([:])

    /// What the policy says of one manifest in one repository.
    struct Verdict: Sendable {
        /// The refusal's message; nil allows the pull.
        var denial: String?
        /// When the verdict must be made again (an allow entry it relied on expires).
        var validUntil: Date?
    }

    init(policy: PullPolicy) {
        self.policy = policy
    }

    /// The cached verdict, if there is one still valid at `now`.
    func cached(_ repository: String, _ digest: Digest, now: Date = Date()) -> Verdict? {
        guard let verdict = verdicts.withLockedValue({ $0[digest]?[repository] }) else { return nil }
        if let until = verdict.validUntil, now >= until { return nil }
        return verdict
    }

    /// Decides (and caches) the verdict for a manifest whose bytes are `bytes`, given its last scan.
    func decide(_ repository: String, _ digest: Digest, bytes: Data, record: ScanRecord?, now: Date = Date()) -> Verdict {
        let verdict: Verdict
        if let manifest = try? Manifest(bytes: bytes, declared: nil), !ScanService.isScannable(manifest) {
            verdict = Verdict()
        } else if let record, record.outcome == .complete {
            verdict = PolicyGate.evaluate(policy, record: record, repository: repository, now: now)
        } else if policy.unscanned == .deny {
            let why = record == nil ? "has not been scanned yet" : "could not be scanned (\(record?.error ?? "failed"))"
            verdict = Verdict(denial: "pull denied by \(policy.name) (unscanned: deny): \(repository)@\(digest) \(why)")
        } else {
            verdict = Verdict()
        }
        verdicts.withLockedValue { $0[digest, default: [:]][repository] = verdict }
        return verdict
    }

    /// Forgets the verdicts of `digest` (it was scanned again).
    func invalidate(_ digest: Digest) {
        _ = verdicts.withLockedValue { $0.removeValue(forKey: digest) }
    }

    /// The verdict of a complete scan: the worst finding at or above `block` that no unexpired allow entry for
    /// the repository excuses (UNKNOWN counted as `unknown` when set).
    static func evaluate(_ policy: PullPolicy, record: ScanRecord, repository: String, now: Date) -> Verdict {
        var validUntil: Date?
        var worst: Finding?
        var blocking = 0
        for var finding in record.findings {
            if finding.severity == .unknown, let unknown = policy.unknown { finding.severity = unknown }
            guard finding.severity >= policy.block else { continue }
            if let entry = policy.allow.first(where: { allows($0, finding, repository: repository, now: now) }) {
                if let expires = entry.expires { validUntil = min(validUntil ?? expires, expires) }
                continue
            }
            blocking += 1
            if let current = worst,
                current.severity > finding.severity
                    || (current.severity == finding.severity && (current.score ?? -1) >= (finding.score ?? -1))
            {
                continue
            }
            worst = finding
        }
        guard let worst else { return Verdict(validUntil: validUntil) }
        var named = worst.id
        if !worst.aliases.isEmpty { named += " (\(worst.aliases.joined(separator: ", ")))" }
        let score = worst.score.map { ", \($0)" } ?? ""
        let others = blocking > 1 ? "; \(blocking) findings at or above \(policy.block.rawValue)" : ""
        return Verdict(
            denial: "pull denied by \(policy.name) (block: \(policy.block.rawValue)): \(repository)@\(record.digest) "
                + "has \(named) [\(worst.severity.rawValue)\(score)] in \(worst.package.name) "
                + "\(worst.package.version)\(others)",
            validUntil: validUntil)
    }

    private static func allows(_ entry: PullPolicy.AllowEntry, _ finding: Finding, repository: String, now: Date)
        -> Bool
    {
        if let expires = entry.expires, now >= expires { return false }
        guard finding.names.contains(entry.id) else { return false }
        return fnmatch(entry.repositories, repository, 0) == 0
    }
}
