// SPDX-License-Identifier: Apache-2.0
import Foundation
import Scan
import Testing

@Suite("Vulnerability database")
struct DatabaseTests {
    @Test("import of a directory tree, then status: ecosystems, counts, newest modified, build time")
    func importAndStatus() throws {
        let built = Date(timeIntervalSince1970: 1_765_000_000)
        let (database, report, _) = try ScanFixtures.database(now: built)
        #expect(report.added == 9)
        #expect(report.skipped.isEmpty)
        #expect(report.withdrawn == 1)
        // TEST-2026-0003's CALVER range is stored with a warning; its SEMVER range still matches.
        #expect(report.warnings.map(\.id) == ["TEST-2026-0003"])
        #expect(report.warnings.first?.reason.contains("unknown range type \"CALVER\"") == true)
        let status = try database.status()
        #expect(status.records == 9)
        #expect(status.withdrawn == 1)
        #expect(status.builtAt == built)
        #expect(status.newestModified == "2026-01-03T00:00:00Z")
        let counts = Dictionary(uniqueKeysWithValues: status.ecosystems.map { ($0.ecosystem, $0.records) })
        #expect(counts["Debian:12"] == 1)
        #expect(counts["Alpine:v3.18"] == 1)
        #expect(counts["npm"] == 3)
        #expect(counts["Maven"] == 1)
        #expect(counts["Go"] == 1)
        #expect(counts["PyPI"] == 1)
        #expect(counts["Red Hat:rhel_eus:9.2::baseos"] == 1)
        #expect(status.imports.first?.added == 9)
    }

    @Test("records are stored as their exact JSON and found by ecosystem and normalised name")
    func exactJSONAndLookup() throws {
        let (database, _, _) = try ScanFixtures.database()
        let found = try database.records(ecosystem: "PyPI", name: "Jinja2")
        #expect(found.map(\.id) == ["GHSA-h5c8-rqwp-cp95"])
        #expect(found.first?.json == Data(OSVRecords.jinja2.utf8))
        #expect(try database.records(ecosystem: "Debian:11", name: "glibc").isEmpty)
        #expect(try database.records(ecosystem: "Debian:12", name: "glibc").map(\.id) == ["DSA-5514-1"])
    }

    @Test("incremental: same modified is unchanged, newer replaces, older is kept out")
    func incremental() throws {
        let directory = try ScanFixtures.directory()
        let path = directory + "/vuln.db"
        func record(_ modified: String, fixed: String) -> String {
            """
            {"id": "GHSA-test-incr-0001", "modified": "\(modified)",
             "affected": [{"package": {"ecosystem": "npm", "name": "lodash"},
               "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "\(fixed)"}]}]}]}
            """
        }
        let first = try ScanFixtures.write(record("2024-01-01T00:00:00Z", fixed: "4.17.20"), to: "a.json", in: directory)
        let same = try ScanFixtures.write(record("2024-01-01T00:00:00.000Z", fixed: "4.17.20"), to: "b.json", in: directory)
        let newer = try ScanFixtures.write(record("2024-06-01T12:00:00.5Z", fixed: "4.17.21"), to: "c.json", in: directory)
        let older = try ScanFixtures.write(record("2023-01-01T00:00:00Z", fixed: "4.0.0"), to: "d.json", in: directory)
        let database = try VulnerabilityDatabase.openForImport(at: path)
        #expect(try database.import([first]).added == 1)
        #expect(try database.import([same]).unchanged == 1)
        #expect(try database.import([newer]).replaced == 1)
        let report = try database.import([older])
        #expect(report.older == 1)
        #expect(report.added + report.replaced == 0)
        let stored = try database.records(ecosystem: "npm", name: "lodash")
        #expect(try stored.first?.decode().affected?.first?.ranges?.first?.events.last?.fixed == "4.17.21")
        #expect(try database.status().imports.count == 4)
    }

    @Test("OSV's all.zip: records read in place; traversal, oversized and non-JSON members refused and counted")
    func zipImport() throws {
        let directory = try ScanFixtures.directory()
        let zip = directory + "/all.zip"
        let big = "{\"id\": \"BIG-1\", \"modified\": \"2024-01-01T00:00:00Z\", \"details\": \"" + String(repeating: "x", count: 5000) + "\"}"
        let members: [(String, String)] = [
            ("GHSA-jfh8-c2jp-5v3q.json", OSVRecords.log4shell), ("GHSA-xvch-5gv4-984h.json", OSVRecords.minimist),
            ("../../etc/evil.json", OSVRecords.jinja2), ("nested/../../escape.json", OSVRecords.jinja2),
            ("BIG-1.json", big), ("README.txt", "not a record"),
        ]
        let script =
            "import zipfile, json, sys\nmembers = json.load(sys.stdin)\nwith zipfile.ZipFile(\(pythonString(zip)), 'w', zipfile.ZIP_DEFLATED) as z:\n"
            + "    for name, text in members:\n        z.writestr(zipfile.ZipInfo(name), text)\n"
        let input = String(decoding: try JSONSerialization.data(withJSONObject: members.map { [$0.0, $0.1] }), as: UTF8.self)
        let (status, output) = try ScanFixtures.run(["/usr/bin/python3", "-c", script], input: input)
        #expect(status == 0, "\(output)")
        let database = try VulnerabilityDatabase.openForImport(at: directory + "/vuln.db")
        let report = try database.import([zip], recordLimit: 4096)
        #expect(report.added == 2)
        let reasons = Dictionary(uniqueKeysWithValues: report.skipped.map { ($0.source.split(separator: "!").last.map(String.init) ?? "", $0.reason) })
        #expect(reasons["../../etc/evil.json"]?.contains("path traversal") == true)
        #expect(reasons["nested/../../escape.json"]?.contains("path traversal") == true)
        #expect(reasons["BIG-1.json"]?.contains("limit") == true)
        #expect(reasons["README.txt"] == "not a .json member")
        #expect(try database.records(ecosystem: "PyPI", name: "jinja2").isEmpty)
    }

    @Test("one transaction: a source that fails leaves the database as it was")
    func failedImportRollsBack() throws {
        let directory = try ScanFixtures.directory()
        let good = try ScanFixtures.write(OSVRecords.log4shell, to: "good.json", in: directory)
        let damaged = try ScanFixtures.write("PK\u{3}\u{4}this is no zip at all", to: "damaged.zip", in: directory)
        let database = try VulnerabilityDatabase.openForImport(at: directory + "/vuln.db")
        #expect(throws: ScanError.self) { try database.import([good, directory + "/missing.json"]) }
        #expect(throws: ScanError.self) { try database.import([good, damaged]) }
        let status = try database.status()
        #expect(status.records == 0)
        #expect(status.builtAt == nil)
        #expect(status.imports.isEmpty)
    }

    @Test("bad records: malformed, no id, no modified, oversized skipped; unknown range type and bad version warned")
    func badRecords() throws {
        let directory = try ScanFixtures.directory()
        try ScanFixtures.write("{\"id\": \"X\", \"modified\": ", to: "in/truncated.json", in: directory)
        try ScanFixtures.write("{\"modified\": \"2024-01-01T00:00:00Z\"}", to: "in/no-id.json", in: directory)
        try ScanFixtures.write("{\"id\": \"NO-MODIFIED-1\"}", to: "in/no-modified.json", in: directory)
        try ScanFixtures.write("{\"id\": \"BAD-TIME-1\", \"modified\": \"yesterday\"}", to: "in/bad-time.json", in: directory)
        try ScanFixtures.write(
            "{\"id\": \"BIG-2\", \"modified\": \"2024-01-01T00:00:00Z\", \"details\": \"\(String(repeating: "y", count: 3000))\"}",
            to: "in/big.json", in: directory)
        try ScanFixtures.write(OSVRecords.unknownRangeType, to: "in/unknown-range.json", in: directory)
        try ScanFixtures.write(OSVRecords.badVersion, to: "in/bad-version.json", in: directory)
        let database = try VulnerabilityDatabase.openForImport(at: directory + "/vuln.db")
        let report = try database.import([directory + "/in"], recordLimit: 2048)
        #expect(report.added == 2)
        #expect(report.skipped.count == 5)
        let skipped = report.skipped.map(\.description).joined(separator: "\n")
        #expect(skipped.contains("truncated.json: invalid OSV record"))
        #expect(skipped.contains("no-id.json: invalid OSV record"))
        #expect(skipped.contains("no-modified.json (NO-MODIFIED-1): no \"modified\" time"))
        #expect(skipped.contains("bad-time.json (BAD-TIME-1): \"modified\" is not an RFC 3339 time"))
        #expect(skipped.contains("big.json: 3"))
        let warnings = Dictionary(uniqueKeysWithValues: report.warnings.map { ($0.id ?? "", $0.reason) })
        #expect(warnings["TEST-2026-0003"]?.contains("CALVER") == true)
        #expect(warnings["TEST-2026-0004"]?.contains("not a version!") == true)
    }

    @Test("timestamps: the whole-second UTC form read without a formatter gives the formatter's time; other forms still parse")
    func timestamps() throws {
        func formatter(_ options: ISO8601DateFormatter.Options) -> ISO8601DateFormatter {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = options
            return formatter
        }
        let whole = formatter([.withInternetDateTime])
        let fractional = formatter([.withInternetDateTime, .withFractionalSeconds])
        func reference(_ text: String) -> Date? { fractional.date(from: text) ?? whole.date(from: text) }
        var generator = SeededGenerator(seed: 3339)
        for _ in 0..<2000 {
            // 1900 to 2200, whole seconds.
            let date = Date(timeIntervalSince1970: -2_208_988_800 + TimeInterval(generator.next() % 9_467_280_000))
            let text = whole.string(from: date)
            #expect(VulnerabilityDatabase.parseTimestamp(text) == date, "\(text)")
            #expect(VulnerabilityDatabase.parseTimestamp(text) == reference(text), "\(text)")
        }
        for text in [
            "2024-02-29T00:00:00Z", "2023-02-29T00:00:00Z", "2026-04-31T12:00:00Z", "1900-01-01T00:00:00Z",
            "1899-12-31T23:59:59Z", "2000-02-29T23:59:59Z", "2100-02-29T00:00:00Z", "2026-12-07T24:00:00Z",
            "2026-12-07T10:46:60Z", "2026-12-07T10:46:00.5Z", "2026-12-07T10:46:00+01:00", "2026-12-07t10:46:00z",
            "2026-12-07T10:46:00", "2026-12-07", "+026-12-07T10:46:00Z", "2026-12-07T10:46:00Z ", "",
        ] {
            #expect(VulnerabilityDatabase.parseTimestamp(text) == reference(text), "\(text)")
        }
    }

    @Test("a file that is not SQLite, SQLite without ocitool's tables, and a newer schema are refused clearly")
    func notADatabase() throws {
        let directory = try ScanFixtures.directory()
        let text = try ScanFixtures.write(String(repeating: "not a database\n", count: 200), to: "text.db", in: directory)
        #expect(throws: ScanError.notADatabase(path: text)) { try VulnerabilityDatabase.open(at: text) }
        #expect(throws: ScanError.notADatabase(path: text)) { try VulnerabilityDatabase.openForImport(at: text) }
        #expect(try String(contentsOfFile: text, encoding: .utf8).hasPrefix("not a database"))

        let other = directory + "/other.db"
        let (status, output) = try ScanFixtures.python(
            "import sqlite3; c = sqlite3.connect(\(pythonString(other))); c.execute('CREATE TABLE t (x)'); c.commit()")
        #expect(status == 0, "\(output)")
        #expect(throws: ScanError.notADatabase(path: other)) { try VulnerabilityDatabase.open(at: other) }
        #expect(throws: ScanError.notADatabase(path: other)) { try VulnerabilityDatabase.openForImport(at: other) }

        let (_, _, path) = try ScanFixtures.database()
        let (updated, message) = try ScanFixtures.python(
            "import sqlite3; c = sqlite3.connect(\(pythonString(path))); "
                + "c.execute(\"UPDATE meta SET value = '99' WHERE key = 'schema_version'\"); c.commit()")
        #expect(updated == 0, "\(message)")
        #expect(throws: ScanError.databaseSchemaTooNew(path: path, found: 99, supported: VulnerabilityDatabase.schemaVersion)) {
            try VulnerabilityDatabase.open(at: path)
        }
        #expect(throws: ScanError.databaseMissing(path: directory + "/none.db")) {
            try VulnerabilityDatabase.open(at: directory + "/none.db")
        }
    }
}

/// A Python string literal.
func pythonString(_ text: String) -> String {
    String(decoding: try! JSONSerialization.data(withJSONObject: [text], options: [.withoutEscapingSlashes]), as: UTF8.self).dropFirst().dropLast().description
}
