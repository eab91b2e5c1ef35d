// SPDX-License-Identifier: Apache-2.0
public import Foundation
public import Layout

/// The result of scanning one image (one platform's manifest) or one SBOM: what `ocitool scan`
/// prints and attaches, and what serve's scan API keeps.
public struct ScanReport: Codable, Hashable, Sendable {
    public var target: ScanTarget
    public var database: DatabaseInfo
    /// Findings that remain after VEX, ignore entries and the severity filter, worst first.
    public var findings: [Finding]
    /// Findings a VEX statement or an ignore entry suppressed, each with who and why.
    public var suppressed: [Suppression]
    /// Findings left out because their severity is not among those reported.
    public var filtered: Int
    /// Remaining findings by severity (every severity present, zeros included).
    public var counts: [VulnerabilitySeverity: Int]
    /// Packages looked up.
    public var packagesScanned: Int
    /// Packages not looked up, each as `name version (kind): reason` (or `purl: reason` for an SBOM entry that is
    /// no package here): never silently "no vulnerabilities".
    public var packagesNotScanned: [String]
    /// Parts of records matching could not evaluate (GIT ranges, unknown range types, bad versions).
    public var skips: [String]
    /// Things the user should know (an expired ignore entry, a stale database).
    public var notices: [String]

    /// The worst remaining severity, if any finding remains.
    public var worst: VulnerabilitySeverity? { findings.map(\.severity).max() }

    /// Why packages were not looked up, with how many each time, most frequent first (then by reason): the
    /// text after the first `: ` of each `packagesNotScanned` line.
    public var notScannedReasons: [(reason: String, count: Int)] {
        var counts: [String: Int] = [:]
        for line in packagesNotScanned {
            let reason = line.range(of: ": ").map { String(line[$0.upperBound...]) } ?? line
            counts[reason, default: 0] += 1
        }
        return counts.map { (reason: $0.key, count: $0.value) }
            .sorted { $0.count != $1.count ? $0.count > $1.count : $0.reason < $1.reason }
    }

    public enum CodingKeys: String, CodingKey {
        case target, database, findings, suppressed, filtered, counts, packagesScanned, packagesNotScanned, skips, notices
    }

    public init(
        target: ScanTarget, database: DatabaseInfo, findings: [Finding], suppressed: [Suppression], filtered: Int,
        packagesScanned: Int, packagesNotScanned: [String], skips: [String], notices: [String]
    ) {
        self.target = target
        self.database = database
        self.findings = findings
        self.suppressed = suppressed
        self.filtered = filtered
        self.packagesScanned = packagesScanned
        self.packagesNotScanned = packagesNotScanned
        self.skips = skips
        self.notices = notices
        var counts: [VulnerabilitySeverity: Int] = [:]
        for severity in VulnerabilitySeverity.allCases { counts[severity] = 0 }
        for finding in findings { counts[finding.severity, default: 0] += 1 }
        self.counts = counts
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        target = try container.decode(ScanTarget.self, forKey: .target)
        database = try container.decode(DatabaseInfo.self, forKey: .database)
        findings = try container.decode([Finding].self, forKey: .findings)
        suppressed = try container.decode([Suppression].self, forKey: .suppressed)
        filtered = try container.decode(Int.self, forKey: .filtered)
        packagesScanned = try container.decode(Int.self, forKey: .packagesScanned)
        packagesNotScanned = try container.decode([String].self, forKey: .packagesNotScanned)
        skips = try container.decode([String].self, forKey: .skips)
        notices = try container.decode([String].self, forKey: .notices)
        let named = try container.decode([String: Int].self, forKey: .counts)
        counts = Dictionary(uniqueKeysWithValues: named.compactMap { key, value in
            VulnerabilitySeverity(rawValue: key).map { ($0, value) }
        })
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(target, forKey: .target)
        try container.encode(database, forKey: .database)
        try container.encode(findings, forKey: .findings)
        try container.encode(suppressed, forKey: .suppressed)
        try container.encode(filtered, forKey: .filtered)
        try container.encode(
            Dictionary(uniqueKeysWithValues: counts.map { ($0.key.rawValue, $0.value) }), forKey: .counts)
        try container.encode(packagesScanned, forKey: .packagesScanned)
        try container.encode(packagesNotScanned, forKey: .packagesNotScanned)
        try container.encode(skips, forKey: .skips)
        try container.encode(notices, forKey: .notices)
    }
}

/// What was scanned.
public struct ScanTarget: Codable, Hashable, Sendable {
    /// The reference or SBOM file as given.
    public var name: String
    /// The image manifest scanned (one platform's), when scanning an image.
    public var manifest: Digest?
    /// The index the manifest was chosen from, when there was one.
    public var index: Digest?
    public var platform: String?
    public var distro: Distro?

    public init(name: String, manifest: Digest? = nil, index: Digest? = nil, platform: String? = nil, distro: Distro? = nil) {
        self.name = name
        self.manifest = manifest
        self.index = index
        self.platform = platform
        self.distro = distro
    }
}

/// The database a scan used: enough to tell whether a rescan is needed.
public struct DatabaseInfo: Codable, Hashable, Sendable {
    /// Where it was read (a path, or the reference it was pulled from).
    public var source: String
    /// The artifact layer's digest, when it came from an artifact.
    public var digest: Digest?
    public var builtAt: Date?
    public var records: Int

    public init(source: String, digest: Digest? = nil, builtAt: Date?, records: Int) {
        self.source = source
        self.digest = digest
        self.builtAt = builtAt
        self.records = records
    }
}

/// A finding a VEX statement or an ignore entry suppressed.
public struct Suppression: Codable, Hashable, Sendable {
    public enum Kind: String, Codable, Hashable, Sendable { case vex, ignore }

    public var finding: Finding
    public var by: Kind
    /// The file (and line or statement) that suppressed it.
    public var source: String
    /// The VEX status and justification, or the ignore entry's statement.
    public var reason: String
    /// The VEX status (`not_affected`, `fixed`) when `by` is `vex`.
    public var status: String?
    /// The VEX justification, when given.
    public var justification: String?
}
