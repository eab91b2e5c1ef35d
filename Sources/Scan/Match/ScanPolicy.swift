// SPDX-License-Identifier: Apache-2.0
public import Foundation

/// What a scan reports: which severities count, how UNKNOWN counts, and what VEX documents and ignore
/// files suppress. Applied in that order: UNKNOWN mapping, VEX, ignore entries, severity filter.
public struct ScanPolicy: Sendable {
    /// The severities reported and counted (trivy's `--severity`): a finding of another severity is
    /// filtered out (counted in `ScanReport.filtered`). All by default.
    public var severities: Set<VulnerabilitySeverity>
    /// The severity an UNKNOWN finding counts as; nil keeps it UNKNOWN (reported only when
    /// `severities` lists UNKNOWN).
    public var unknownAs: VulnerabilitySeverity?
    public var vex: [VEXDocument]
    public var ignore: [IgnoreList]
    /// The time ignore entries' expiry dates are compared with.
    public var now: Date

    public init(
        severities: Set<VulnerabilitySeverity> = Set(VulnerabilitySeverity.allCases),
        unknownAs: VulnerabilitySeverity? = nil, vex: [VEXDocument] = [], ignore: [IgnoreList] = [], now: Date = Date()
    ) {
        self.severities = severities
        self.unknownAs = unknownAs
        self.vex = vex
        self.ignore = ignore
        self.now = now
    }

    /// The report for `matches` under this policy.
    public func apply(_ matches: VulnerabilityScanner.Matches, target: ScanTarget, database: DatabaseInfo) -> ScanReport {
        var findings: [Finding] = []
        var suppressed: [Suppression] = []
        var filtered = 0
        var notices: [String] = []
        for list in ignore {
            for entry in list.entries where entry.isExpired(at: now) {
                notices.append(
                    "\(list.source):\(entry.line): ignore entry for \(entry.id) expired on \(entry.expiresText ?? "?"), "
                        + "so it no longer ignores anything")
            }
        }
        for var finding in matches.findings {
            if finding.severity == .unknown, let unknownAs {
                finding.severity = unknownAs
                finding.severityMapped = true
            }
            if let suppression = vexSuppression(finding, target: target) ?? ignoreSuppression(finding) {
                suppressed.append(suppression)
                continue
            }
            guard severities.contains(finding.severity) else {
                filtered += 1
                continue
            }
            findings.append(finding)
        }
        findings.sort { a, b in
            if a.severity != b.severity { return a.severity > b.severity }
            if (a.score ?? -1) != (b.score ?? -1) { return (a.score ?? -1) > (b.score ?? -1) }
            if a.package.name != b.package.name { return a.package.name < b.package.name }
            return a.id < b.id
        }
        return ScanReport(
            target: target, database: database, findings: findings, suppressed: suppressed, filtered: filtered,
            packagesScanned: matches.packagesScanned, packagesNotScanned: matches.notScanned, skips: matches.skips,
            notices: notices)
    }

    private func vexSuppression(_ finding: Finding, target: ScanTarget) -> Suppression? {
        for document in vex.reversed() {
            guard let statement = document.statement(for: finding, target: target) else { continue }
            guard statement.status == .notAffected || statement.status == .fixed else { return nil }
            var reason = statement.status.rawValue
            if let justification = statement.justification { reason += " (\(justification))" }
            if let impact = statement.impactStatement { reason += ": \(impact)" }
            return Suppression(
                finding: finding, by: .vex, source: "\(document.source) statement \(statement.index + 1)", reason: reason,
                status: statement.status.rawValue, justification: statement.justification)
        }
        return nil
    }

    private func ignoreSuppression(_ finding: Finding) -> Suppression? {
        for list in ignore {
            guard let entry = list.entry(for: finding, at: now) else { continue }
            var reason = "ignored"
            if let expires = entry.expiresText { reason += " until \(expires)" }
            if let statement = entry.statement { reason += ": \(statement)" }
            return Suppression(finding: finding, by: .ignore, source: "\(list.source):\(entry.line)", reason: reason)
        }
        return nil
    }
}
