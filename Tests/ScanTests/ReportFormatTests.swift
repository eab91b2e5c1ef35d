// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
import Scan
import Testing

@Suite("Report formats: SARIF 2.1.0 and CycloneDX 1.5, checked by their own validators")
struct ReportFormatTests {
    /// A report with findings of several severities, a VEX-suppressed one and an ignored one.
    private func report() throws -> ScanReport {
        let (database, _, _) = try ScanFixtures.database()
        let vex = try VEXDocument.parse(
            Data(
                """
                {"@context": "https://openvex.dev/ns/v0.2.0", "statements": [
                  {"vulnerability": {"name": "CVE-2021-44228"}, "products": [{"@id": "pkg:maven/org.apache.logging.log4j/log4j-core"}],
                   "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path"}]}
                """.utf8), source: "vex.json")
        let ignore = try IgnoreList.parseLines("GO-2022-0969\n", source: ".trivyignore")
        return try VulnerabilityScanner(database: database).report(
            ScanFixtures.packages,
            target: ScanTarget(name: "./images/app:1.0", manifest: try Digest("sha256:" + String(repeating: "cd", count: 32))),
            databaseInfo: DatabaseInfo(source: "vuln.db", builtAt: Date(), records: 9),
            policy: ScanPolicy(vex: [vex], ignore: [ignore]))
    }

    /// The validator's output: "ok", or its errors (the failing expectation shows them).
    private func validate(_ kind: String, _ data: Data) throws -> String {
        let path = try ScanFixtures.directory() + "/report.json"
        try data.write(to: URL(fileURLWithPath: path))
        let (_, output) = try ScanFixtures.run(
            [Oracle.venvPython, Oracle.repositoryRoot + "/Tests/interop/report_validate.py", kind, path])
        return output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test("SARIF validates against the OASIS 2.1.0 schema; rules carry severity and score", .enabled(if: Oracle.hasVenv))
    func sarif() throws {
        let report = try report()
        let data = try SARIFReport.render([report], toolVersion: "0.1.0")
        #expect(try validate("sarif", data) == "ok")
        let log = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let run = try #require((log["runs"] as? [[String: Any]])?.first)
        let results = try #require(run["results"] as? [[String: Any]])
        #expect(results.count == report.findings.count)
        let driver = try #require((run["tool"] as? [String: Any])?["driver"] as? [String: Any])
        let rules = try #require(driver["rules"] as? [[String: Any]])
        let minimist = try #require(rules.first { $0["id"] as? String == "GHSA-xvch-5gv4-984h" })
        let properties = try #require(minimist["properties"] as? [String: Any])
        #expect(properties["security-severity"] as? String == "9.8")
        #expect((minimist["defaultConfiguration"] as? [String: Any])?["level"] as? String == "error")
        let glibc = try #require(results.first { $0["ruleId"] as? String == "DSA-5514-1" })
        let location = ((glibc["locations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any])?["artifactLocation"]
        #expect((location as? [String: Any])?["uri"] as? String == "var/lib/dpkg/status")
        #expect(glibc["level"] as? String == "note")
    }

    @Test("CycloneDX 1.5 passes cyclonedx-python-lib's strict validator; suppressed findings carry an analysis",
          .enabled(if: Oracle.hasVenv))
    func cycloneDX() throws {
        let report = try report()
        let data = try CycloneDXVEXReport.render(
            [report], toolVersion: "0.1.0", timestamp: Date(timeIntervalSince1970: 1_765_000_000), serial: UUID())
        #expect(try validate("cyclonedx", data) == "ok")
        let bom = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let vulnerabilities = try #require(bom["vulnerabilities"] as? [[String: Any]])
        #expect(vulnerabilities.count == report.findings.count + report.suppressed.count)
        let log4shell = try #require(vulnerabilities.first { $0["id"] as? String == "GHSA-jfh8-c2jp-5v3q" })
        let analysis = try #require(log4shell["analysis"] as? [String: Any])
        #expect(analysis["state"] as? String == "not_affected")
        #expect(analysis["justification"] as? String == "code_not_reachable")
        let rating = try #require((log4shell["ratings"] as? [[String: Any]])?.first)
        #expect(rating["method"] as? String == "CVSSv31")
        #expect(rating["score"] as? Double == 10.0)
        let go = try #require(vulnerabilities.first { $0["id"] as? String == "GO-2022-0969" })
        #expect((go["analysis"] as? [String: Any])?["detail"] as? String == ".trivyignore:1: ignored")
    }
}
