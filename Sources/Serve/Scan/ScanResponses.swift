// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
import Scan

/// The body of `GET …/manifests/<reference>/scan`.
struct ScanResultBody: Encodable {
    var repository: String
    var digest: String
    var status: ScanStatus
    var scannedAt: Date?
    var database: DatabaseBody?
    /// Remaining findings by severity (every severity, zeros included), once a scan completed.
    var counts: [String: Int]?
    var findings: [FindingBody]?
    /// The platforms scanned (one entry for an image manifest).
    var platforms: [String]?
    /// Packages not looked up, each with why (as `ScanReport.packagesNotScanned`), once a scan completed: a Red Hat
    /// image's rpms, say, so a result without findings is not taken for clean.
    var packagesNotScanned: [String]?
    /// Why the last scan failed.
    var error: String?

    init(name: String, digest: Digest, status: ScanStatus, record: ScanRecord?) {
        repository = name
        self.digest = digest.description
        self.status = status
        guard let record else { return }
        scannedAt = record.scannedAt
        database = record.database.map(DatabaseBody.init)
        error = record.error
        guard record.outcome == .complete else { return }
        counts = Dictionary(uniqueKeysWithValues: record.counts.map { ($0.key.rawValue, $0.value) })
        findings = record.reports.flatMap { report in
            report.findings.map { FindingBody($0, platform: report.target.platform) }
        }
        platforms = record.reports.map { $0.target.platform ?? "unknown" }
        packagesNotScanned = record.reports.flatMap { report in
            report.packagesNotScanned.map { line in
                record.reports.count > 1 ? "\(report.target.platform ?? "unknown"): \(line)" : line
            }
        }
    }

    enum CodingKeys: String, CodingKey {
        case repository, digest, status, database, counts, findings, platforms, error
        case scannedAt = "scanned_at"
        case packagesNotScanned = "packages_not_scanned"
    }
}

/// The database a scan used.
struct DatabaseBody: Encodable {
    var source: String
    var builtAt: Date?
    var records: Int

    init(_ info: DatabaseInfo) {
        source = info.source
        builtAt = info.builtAt
        records = info.records
    }

    enum CodingKeys: String, CodingKey {
        case source, records
        case builtAt = "built_at"
    }
}

/// One finding as the API shows it.
struct FindingBody: Encodable {
    var id: String
    var aliases: [String]
    var severity: String
    var score: Double?
    var summary: String?
    var package: String
    var version: String
    var fixedVersion: String?
    var ecosystem: String
    var purl: String
    var platform: String?
    var layer: String?
    var path: String

    init(_ finding: Finding, platform: String?) {
        id = finding.id
        aliases = finding.aliases
        severity = finding.severity.rawValue
        score = finding.score
        summary = finding.summary
        package = finding.package.name
        version = finding.package.version
        fixedVersion = finding.fixedVersion
        ecosystem = finding.package.ecosystem
        purl = finding.package.purl
        self.platform = platform
        layer = finding.location.layer?.description
        path = finding.location.path
    }

    enum CodingKeys: String, CodingKey {
        case id, aliases, severity, score, summary, package, version, ecosystem, purl, platform, layer, path
        case fixedVersion = "fixed_version"
    }
}

/// The body of `GET /v2/<name>/scan/summary`: tags counted, distinct tagged manifests with a complete scan,
/// the latest image (tag `latest` when there is one, else the most recently scanned tag), the newest scan's
/// time, and findings by severity summed over the distinct tagged manifests scanned.
struct ScanSummaryBody: Encodable {
    var repository: String
    var tags = 0
    var scanned = 0
    var lastScanned: Date?
    var latest: Latest?
    var totals: [String: Int] = Dictionary(uniqueKeysWithValues: VulnerabilitySeverity.allCases.map { ($0.rawValue, 0) })

    init(repository: String) { self.repository = repository }

    struct Latest: Encodable {
        var tag: String
        var digest: String
        var status: ScanStatus
        var scannedAt: Date?
        var counts: [String: Int]?

        init(tag: String, digest: Digest, status: ScanStatus, record: ScanRecord?) {
            self.tag = tag
            self.digest = digest.description
            self.status = status
            scannedAt = record?.scannedAt
            if let record, record.outcome == .complete {
                counts = Dictionary(uniqueKeysWithValues: record.counts.map { ($0.key.rawValue, $0.value) })
            }
        }

        enum CodingKeys: String, CodingKey {
            case tag, digest, status, counts
            case scannedAt = "scanned_at"
        }
    }

    enum CodingKeys: String, CodingKey {
        case repository, tags, scanned, latest, totals
        case lastScanned = "last_scanned"
    }
}
