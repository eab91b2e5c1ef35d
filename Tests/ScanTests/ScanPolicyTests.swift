// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
import Scan
import Testing

@Suite("Scan policy: severities, UNKNOWN, ignore files, VEX")
struct ScanPolicyTests {
    static let now = Date(timeIntervalSince1970: 1_765_000_000)  // 2025-12-06
    static let image = try! Digest("sha256:" + String(repeating: "12", count: 32))

    private func report(_ policy: ScanPolicy) throws -> ScanReport {
        let (database, _, _) = try ScanFixtures.database()
        return try VulnerabilityScanner(database: database).report(
            ScanFixtures.packages, target: ScanTarget(name: "test", manifest: Self.image),
            databaseInfo: DatabaseInfo(source: "test", builtAt: Self.now, records: 9), policy: policy)
    }

    @Test("--severity keeps the listed severities; UNKNOWN counts only when listed or mapped by --unknown-as")
    func severities() throws {
        let all = try report(ScanPolicy(now: Self.now))
        #expect(all.findings.count == 8)
        #expect(all.counts[.critical] == 2)
        #expect(all.counts[.unknown] == 6)
        #expect(all.findings.first?.id == "GHSA-jfh8-c2jp-5v3q")  // worst first: 10.0 before 9.8
        #expect(all.worst == .critical)

        let critical = try report(ScanPolicy(severities: [.critical, .high], now: Self.now))
        #expect(critical.findings.map(\.id).sorted() == ["GHSA-jfh8-c2jp-5v3q", "GHSA-xvch-5gv4-984h"])
        #expect(critical.filtered == 6)

        let mapped = try report(ScanPolicy(severities: [.critical, .high], unknownAs: .high, now: Self.now))
        #expect(mapped.findings.count == 8)
        #expect(mapped.counts[.high] == 6)
        #expect(mapped.findings.filter(\.severityMapped).count == 6)
    }

    @Test(".trivyignore lines: by id or alias, exp: dates; an expired entry no longer ignores and is named")
    func trivyIgnore() throws {
        let directory = try ScanFixtures.directory()
        let path = try ScanFixtures.write(
            """
            # accepted until the base image moves
            CVE-2021-44228
            GHSA-xvch-5gv4-984h exp:2025-01-01
            DSA-5514-1 exp:2030-01-01   # glibc
            """, to: ".trivyignore", in: directory)
        let list = try IgnoreList.load(path: path)
        let result = try report(ScanPolicy(ignore: [list], now: Self.now))
        let suppressed = Dictionary(uniqueKeysWithValues: result.suppressed.map { ($0.finding.id, $0) })
        #expect(suppressed["GHSA-jfh8-c2jp-5v3q"]?.source == "\(path):2")  // by its alias
        #expect(suppressed["DSA-5514-1"]?.reason == "ignored until 2030-01-01")
        #expect(suppressed["GHSA-xvch-5gv4-984h"] == nil)
        #expect(result.findings.contains { $0.id == "GHSA-xvch-5gv4-984h" })
        #expect(result.notices == ["\(path):3: ignore entry for GHSA-xvch-5gv4-984h expired on 2025-01-01, so it no longer ignores anything"])
        #expect(throws: ScanError.self) { try IgnoreList.parseLines("CVE-1 because", source: "x") }
    }

    @Test("YAML ignore entries: package limits, expired_at and expires, statements")
    func yamlIgnore() throws {
        let directory = try ScanFixtures.directory()
        let path = try ScanFixtures.write(
            """
            vulnerabilities:
              - id: CVE-2023-4911
                package: glibc
                statement: not reachable in this image
              - id: GHSA-xvch-5gv4-984h
                purls: ["pkg:npm/left-pad"]
              - id: ALPINE-CVE-2023-5363
                expired_at: 2025-06-01
              - id: GHSA-h5c8-rqwp-cp95
                expires: "2026-06-01"
            """, to: "ignore.yaml", in: directory)
        let result = try report(ScanPolicy(ignore: [try IgnoreList.load(path: path)], now: Self.now))
        let suppressed = Set(result.suppressed.map(\.finding.id))
        #expect(suppressed == ["DSA-5514-1", "GHSA-h5c8-rqwp-cp95"])
        #expect(result.suppressed.first { $0.finding.id == "DSA-5514-1" }?.reason == "ignored: not reachable in this image")
        #expect(result.findings.contains { $0.id == "GHSA-xvch-5gv4-984h" })  // limited to another package
        #expect(result.notices.count == 1)
        #expect(result.notices.first?.contains("ALPINE-CVE-2023-5363 expired") == true)
        #expect(throws: ScanError.self) { try IgnoreList.parseYAML("- package: x\n", source: "bad.yaml") }
        #expect(throws: ScanError.self) { try IgnoreList.parseYAML("- id: X\n  expires: someday\n", source: "bad.yaml") }
    }

    @Test("OpenVEX not_affected and fixed suppress by purl or image digest; affected does not; the latest wins")
    func vex() throws {
        let document = """
            {"@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://example.com/vex/1", "author": "security",
             "timestamp": "2025-11-01T00:00:00Z", "version": 1,
             "statements": [
              {"vulnerability": {"name": "CVE-2021-44228"},
               "products": [{"@id": "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"}],
               "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path",
               "impact_statement": "JNDI lookups are disabled"},
              {"vulnerability": {"name": "GHSA-xvch-5gv4-984h"},
               "products": [{"@id": "pkg:oci/app@\(Self.image)", "subcomponents": [{"@id": "pkg:npm/minimist@1.2.5"}]}],
               "status": "fixed"},
              {"vulnerability": {"name": "CVE-2023-4911"}, "products": [{"@id": "pkg:oci/app@\(Self.image)"}],
               "status": "not_affected", "justification": "component_not_present", "timestamp": "2025-11-01T00:00:00Z"},
              {"vulnerability": {"name": "CVE-2023-4911"}, "products": [{"@id": "pkg:oci/app@\(Self.image)"}],
               "status": "affected", "timestamp": "2025-11-02T00:00:00Z"},
              {"vulnerability": {"name": "CVE-2023-5363"},
               "products": [{"@id": "pkg:oci/other@sha256:\(String(repeating: "34", count: 32))"}],
               "status": "not_affected", "justification": "component_not_present"}
             ]}
            """
        let vex = try VEXDocument.parse(Data(document.utf8), source: "app.vex.json")
        let result = try report(ScanPolicy(vex: [vex], now: Self.now))
        let suppressed = Dictionary(uniqueKeysWithValues: result.suppressed.map { ($0.finding.id, $0) })
        #expect(Set(suppressed.keys) == ["GHSA-jfh8-c2jp-5v3q", "GHSA-xvch-5gv4-984h"])
        #expect(suppressed["GHSA-jfh8-c2jp-5v3q"]?.reason
            == "not_affected (vulnerable_code_not_in_execute_path): JNDI lookups are disabled")
        #expect(suppressed["GHSA-jfh8-c2jp-5v3q"]?.source == "app.vex.json statement 1")
        #expect(suppressed["GHSA-xvch-5gv4-984h"]?.status == "fixed")
        // The later "affected" statement overrides; another image's statement does not apply.
        #expect(result.findings.contains { $0.id == "DSA-5514-1" })
        #expect(result.findings.contains { $0.id == "ALPINE-CVE-2023-5363" })
        #expect(throws: ScanError.self) {
            try VEXDocument.parse(Data("{\"statements\": [{\"vulnerability\": \"CVE-1\", \"products\": [\"x\"], \"status\": \"maybe\"}]}".utf8), source: "bad")
        }
    }
}
