// SPDX-License-Identifier: Apache-2.0
import Foundation
import Scan
import Testing

/// Matching reads each record's ranges for a package from the database's `packages` rows (`PackageRanges`,
/// schema version 2) and decodes a record only when it matches: these tests hold it to what evaluating the
/// whole stored records gives, and check that a database of schema version 1 is refused for reading and
/// upgraded by an import.
@Suite("Scan: stored ranges and schema upgrade")
struct StoredRangesTests {
    @Test("the stored form reads back as written: absent and empty lists, malformed events, long and non-ASCII strings")
    func roundTrip() throws {
        let long = String(repeating: "9", count: 300) + ".0.0-ünïcode"
        let entries: [OSVRecord.Affected] = [
            .init(package: nil, ranges: nil, versions: nil),
            .init(package: nil, ranges: [], versions: []),
            .init(
                package: nil,
                ranges: [
                    .init(type: "ECOSYSTEM", events: [.introduced("0"), .fixed(long), .lastAffected("1"), .limit("*")]),
                    .init(type: "CALVER", events: []),
                    .init(type: "SEMVER", events: [.init(), .init(introduced: "1.0.0", fixed: "2.0.0")]),
                ],
                versions: ["1.0.0", long, ""]),
        ]
        let stored = PackageRanges(entries: entries).encoded
        #expect(try PackageRanges(encoded: stored).entries == entries)
        for length in [0, 1, stored.count / 2, stored.count - 1] {
            #expect(throws: ScanError.self) { try PackageRanges(encoded: stored.prefix(length)) }
        }
        #expect(throws: ScanError.self) { try PackageRanges(encoded: stored + Data([0])) }
    }

    @Test("generated records and packages: matching finds what evaluating each whole stored record finds")
    func sameAsWholeRecords() throws {
        var generator = SeededGenerator(seed: 20_261_207)
        let directory = try ScanFixtures.directory()
        for index in 0..<400 {
            let record = GeneratedRecords.record(index, using: &generator)
            let json = try JSONSerialization.data(withJSONObject: record, options: [.sortedKeys])
            try json.write(to: URL(fileURLWithPath: directory + "/GEN-\(index).json"))
        }
        let database = try VulnerabilityDatabase.openForImport(at: directory + "/vuln.db")
        let report = try database.import([directory])
        #expect(report.added == 400)
        let packages = GeneratedRecords.packages()
        let matches = try VulnerabilityScanner(database: database).match(packages)
        let expected = try Self.wholeRecordMatches(packages, in: database)
        #expect(!expected.findings.isEmpty)
        #expect(!expected.skips.isEmpty)
        #expect(matches.findings.map(Self.describe) == expected.findings)
        #expect(matches.skips == expected.skips)
        #expect(matches.packagesScanned == packages.count)
    }

    @Test("a schema version 1 database: refused for reading with its own error, upgraded in place by an import")
    func upgradeFromVersion1() throws {
        let (database, _, path) = try ScanFixtures.database()
        let before = try VulnerabilityScanner(database: database).match(ScanFixtures.packages)
        #expect(before.findings.count == 8)
        // What ocitool's schema version 1 wrote: packages without withdrawn and ranges.
        let (status, output) = try ScanFixtures.python(
            "import sqlite3; c = sqlite3.connect(\(pythonString(path))); "
                + "c.executescript('''CREATE TABLE old (ecosystem TEXT NOT NULL, name TEXT NOT NULL, "
                + "record_id TEXT NOT NULL, PRIMARY KEY (ecosystem, name, record_id)) WITHOUT ROWID; "
                + "INSERT INTO old SELECT ecosystem, name, record_id FROM packages; DROP TABLE packages; "
                + "ALTER TABLE old RENAME TO packages; CREATE INDEX packages_record ON packages (record_id); "
                + "UPDATE meta SET value = '1' WHERE key = 'schema_version';'''); c.commit()")
        #expect(status == 0, "\(output)")
        #expect(throws: ScanError.databaseSchemaTooOld(path: path, found: 1, supported: VulnerabilityDatabase.schemaVersion)) {
            try VulnerabilityDatabase.open(at: path)
        }
        #expect(
            ScanError.databaseSchemaTooOld(path: path, found: 1, supported: 2).description.contains("'ocitool db import' upgrades it"))

        let upgraded = try VulnerabilityDatabase.openForImport(at: path)
        #expect(try upgraded.status().schemaVersion == VulnerabilityDatabase.schemaVersion)
        #expect(try upgraded.status().records == 9)
        let reopened = try VulnerabilityDatabase.open(at: path)
        let after = try VulnerabilityScanner(database: reopened).match(ScanFixtures.packages)
        #expect(after.findings == before.findings)
        #expect(after.skips == before.skips)
        #expect(after.notScanned == before.notScanned)
    }

    /// A finding as the comparison reads it.
    static func describe(_ finding: Finding) -> String {
        "\(finding.id) \(finding.package.name) \(finding.package.version) \(finding.location.path) "
            + "fixed \(finding.fixedVersion ?? "-"): \(finding.matched)"
    }

    /// Schema version 1's matching, from the whole stored records: every record naming the package is decoded
    /// and evaluated with `OSVRecord.evaluate`.
    static func wholeRecordMatches(_ packages: [CatalogedPackage], in database: VulnerabilityDatabase) throws
        -> (findings: [String], skips: [String])
    {
        var findings: [String] = []
        var skips = Set<String>()
        for package in packages {
            guard let key = package.matchKey else { continue }
            for stored in try database.records(ecosystem: key.ecosystem, name: key.name) {
                let record = try stored.decode()
                let result = record.evaluate(ecosystem: key.ecosystem, name: key.name, version: key.version)
                for skip in result.skips where skip.reason != .withdrawn { skips.insert("\(skip) (for \(key))") }
                guard result.isAffected else { continue }
                findings.append(
                    "\(record.id) \(package.name) \(package.version) \(package.location.path) "
                        + "fixed \(result.fixedVersion ?? "-"): \(result.reason ?? "affected") for \(key)")
            }
        }
        return (findings, skips.sorted())
    }
}

/// OSV records with everything evaluation distinguishes: several entries for one package (and PyPI names
/// spelled differently), `versions` lists, ECOSYSTEM, SEMVER, GIT and unknown range types, `limit`s,
/// `last_affected`, events with no or two fields, ranges without events, versions the order refuses,
/// ecosystems without an order, entries without a package, withdrawn records.
enum GeneratedRecords {
    static let ecosystems: [(name: String, versions: [String], names: [String])] = [
        ("npm", ["0.1.0", "1.0.0", "1.2.3", "1.2.3-beta.1", "2.0.0", "3.1.4", "v1.5.0", "1.2"], ["alpha", "beta", "gamma"]),
        ("PyPI", ["0.9", "1.0", "1.0rc1", "1.0.post1", "1.2.3", "2.0.dev1", "3!1.0", "not a version"], ["Foo_Bar", "foo-bar", "foo.bar", "Baz"]),
        ("Debian:12", ["1.0-1", "1.0-2", "1:0.5-1", "2.0~rc1-1", "2.0-1", "2.36-9+deb12u3", "3.0"], ["glibc", "openssl"]),
        ("Go", ["1.19.0", "v1.19.1", "0.0.0-20220906165146-f3363e06e74c", "1.20", "1.21.0"], ["stdlib", "golang.org/x/net"]),
        ("Hackage", ["1.0", "2.0"], ["aeson"]),
    ]

    static func pick<T>(_ items: [T], _ generator: inout SeededGenerator) -> T {
        items[Int(generator.next() % UInt64(items.count))]
    }

    static func chance(_ percent: UInt64, _ generator: inout SeededGenerator) -> Bool { generator.next() % 100 < percent }

    static func record(_ index: Int, using generator: inout SeededGenerator) -> [String: Any] {
        var affected: [[String: Any]] = []
        let ecosystem = pick(ecosystems, &generator)
        for _ in 0..<(1 + Int(generator.next() % 3)) {
            var entry: [String: Any] = [:]
            if !chance(5, &generator) {
                // Mostly the record's ecosystem, sometimes another one's package with the same name.
                let other = chance(15, &generator) ? pick(ecosystems, &generator) : ecosystem
                entry["package"] = ["ecosystem": other.name, "name": pick(ecosystem.names, &generator)]
            }
            if chance(30, &generator) {
                entry["versions"] = (0..<Int(generator.next() % 3)).map { _ in pick(ecosystem.versions, &generator) }
            }
            if !chance(10, &generator) {
                entry["ranges"] = (0..<(1 + Int(generator.next() % 2))).map { _ in range(ecosystem.versions, &generator) }
            }
            affected.append(entry)
        }
        var record: [String: Any] = [
            "id": "GEN-\(String(format: "%04d", index))", "modified": "2026-01-01T00:00:00Z", "affected": affected,
        ]
        if chance(5, &generator) { record["withdrawn"] = "2026-02-01T00:00:00Z" }
        return record
    }

    static func range(_ versions: [String], _ generator: inout SeededGenerator) -> [String: Any] {
        let type = pick(["ECOSYSTEM", "ECOSYSTEM", "ECOSYSTEM", "SEMVER", "GIT", "CALVER"], &generator)
        var events: [[String: String]] = []
        if !chance(5, &generator) {
            events.append(["introduced": chance(40, &generator) ? "0" : pick(versions, &generator)])
            for _ in 0..<Int(generator.next() % 4) {
                let kind = pick(["introduced", "fixed", "fixed", "last_affected", "limit"], &generator)
                events.append([kind: kind == "limit" && chance(30, &generator) ? "*" : pick(versions, &generator)])
            }
            if chance(4, &generator) { events.append([:]) }
            if chance(4, &generator) { events.append(["introduced": pick(versions, &generator), "fixed": pick(versions, &generator)]) }
        }
        return ["type": type, "events": events]
    }

    /// Every name of every ecosystem at every version of its list (with Go's toolchain spelling too).
    static func packages() -> [CatalogedPackage] {
        var packages: [CatalogedPackage] = []
        for ecosystem in ecosystems {
            for name in ecosystem.names {
                for version in ecosystem.versions + (ecosystem.name == "Go" ? ["go1.19.0"] : []) {
                    let index = packages.count
                    packages.append(
                        ScanFixtures.package(
                            ecosystem.name == "Go" ? .go : .npm, name, version, purl: "pkg:generic/generated\(index)@1",
                            ecosystem: ecosystem.name, path: "generated/\(index)"))
                }
            }
        }
        return packages
    }
}
