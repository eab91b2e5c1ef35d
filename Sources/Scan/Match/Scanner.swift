// SPDX-License-Identifier: Apache-2.0
public import Foundation

/// Matches packages against a vulnerability database: each package's lookup key (`matchKey`) finds
/// the records that name it, each record is evaluated with `OSVRecord.evaluate` (the OSV schema's
/// algorithm), and each hit becomes a `Finding` rated by `assessSeverity`. `report` then applies a
/// `ScanPolicy` (VEX, ignore entries, severities).
///
/// Decoded records are kept for the scanner's lifetime, so packages sharing a source package (or
/// several platforms of one image) decode each record once. Confined to one task at a time.
public final class Scanner {
    public let database: VulnerabilityDatabase
    private var decoded: [String: OSVRecord?] = [:]

    public init(database: VulnerabilityDatabase) {
        self.database = database
    }

    /// What matching found for a list of packages, before any policy.
    public struct Matches: Sendable {
        public var findings: [Finding] = []
        /// Packages with no OSV ecosystem, each as `name version (kind): reason`.
        public var notScanned: [String] = []
        /// Parts of records not evaluated, deduplicated, each once.
        public var skips: [String] = []
        public var packagesScanned = 0
    }

    /// Looks every package up and evaluates the records found.
    /// - Throws: `ScanError.database`.
    public func match(_ packages: [CatalogedPackage]) throws -> Matches {
        var matches = Matches()
        var skips = Set<String>()
        var seen = Set<String>()
        for package in packages {
            guard let key = package.matchKey else {
                matches.notScanned.append("\(package.name) \(package.version) (\(package.kind.rawValue)): no OSV ecosystem")
                continue
            }
            matches.packagesScanned += 1
            for stored in try database.records(ecosystem: key.ecosystem, name: key.name) {
                guard let record = try decodedRecord(stored) else {
                    skips.insert("\(stored.id): stored record no longer decodes")
                    continue
                }
                let result = record.evaluate(ecosystem: key.ecosystem, name: key.name, version: key.version)
                for skip in result.skips where skip.reason != .withdrawn {
                    skips.insert("\(skip) (for \(key))")
                }
                guard result.isAffected else { continue }
                let dedupe = "\(record.id)\u{0}\(package.purl)\u{0}\(package.location.path)"
                guard seen.insert(dedupe).inserted else { continue }
                matches.findings.append(finding(record, package, key, result))
            }
        }
        matches.skips = skips.sorted()
        return matches
    }

    /// Matches `packages` and applies `policy`: the report for one target.
    public func report(
        _ packages: [CatalogedPackage], target: ScanTarget, databaseInfo: DatabaseInfo, policy: ScanPolicy
    ) throws -> ScanReport {
        let matches = try match(packages)
        return policy.apply(matches, target: target, database: databaseInfo)
    }

    private func decodedRecord(_ stored: StoredRecord) throws -> OSVRecord? {
        if let cached = decoded[stored.id] { return cached }
        let record = try? stored.decode()
        decoded[stored.id] = record
        return record
    }

    private func finding(_ record: OSVRecord, _ package: CatalogedPackage, _ key: MatchKey, _ result: OSVMatch) -> Finding {
        let wanted = Ecosystem.normalizedName(key.name, ecosystem: key.ecosystem)
        let entry = record.affected?.first { entry in
            guard let candidate = entry.package else { return false }
            return candidate.ecosystem == key.ecosystem
                && Ecosystem.normalizedName(candidate.name, ecosystem: candidate.ecosystem) == wanted
        }
        let assessment = record.assessSeverity(for: entry)
        let source: String =
            switch assessment.source {
            case .cvss(let vector): vector
            case .database(let text): "database_specific.severity: \(text)"
            case .unknown: "none"
            }
        var aliases = record.aliases ?? []
        for upstream in record.upstream ?? [] where !aliases.contains(upstream) { aliases.append(upstream) }
        return Finding(
            id: record.id, aliases: aliases, summary: record.summary, severity: VulnerabilitySeverity(assessment.rating),
            score: assessment.scoreTenths.map { Double($0) / 10 }, severitySource: source, severityMapped: false,
            package: Finding.Package(
                name: package.name, version: package.version, kind: package.kind, purl: package.purl.description,
                sourceName: key.name == package.name ? nil : key.name, ecosystem: key.ecosystem),
            fixedVersion: result.fixedVersion, location: package.location,
            matched: "\(result.reason ?? "affected") for \(key)", modified: record.modified)
    }
}
