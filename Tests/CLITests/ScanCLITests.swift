// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
import Testing

/// `ocitool db` and `ocitool scan --sbom` as a user runs them: import, status, scan, exit codes, the
/// database shipped as an artifact, and each bad input's one error line.
@Suite struct ScanCLITests {
    /// Log4Shell as GitHub published it (ids, ranges and versions; details left out).
    static let log4shell = """
        {"id": "GHSA-jfh8-c2jp-5v3q", "modified": "2024-01-01T00:00:00Z", "aliases": ["CVE-2021-44228"],
         "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H"}],
         "affected": [{"package": {"ecosystem": "Maven", "name": "org.apache.logging.log4j:log4j-core"},
           "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "2.13.0"}, {"fixed": "2.15.0"}]}]}]}
        """
    /// glibc CVE-2023-4911, Debian's DSA-5514-1 for bookworm (no severity: UNKNOWN).
    static let looneyTunables = """
        {"id": "DSA-5514-1", "modified": "2023-10-03T00:00:00Z", "upstream": ["CVE-2023-4911"],
         "affected": [{"package": {"ecosystem": "Debian:12", "name": "glibc"},
           "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.36-9+deb12u3"}]}]}]}
        """
    /// An SPDX document as syft writes one for these two packages.
    static let sbom = """
        {"spdxVersion": "SPDX-2.3", "dataLicense": "CC0-1.0", "SPDXID": "SPDXRef-DOCUMENT", "name": "app",
         "packages": [
          {"name": "libc6", "SPDXID": "SPDXRef-1", "versionInfo": "2.36-9+deb12u1",
           "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl",
             "referenceLocator": "pkg:deb/debian/libc6@2.36-9%2Bdeb12u1?arch=amd64&upstream=glibc&distro=debian-12"}]},
          {"name": "log4j-core", "SPDXID": "SPDXRef-2", "versionInfo": "2.14.1",
           "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl",
             "referenceLocator": "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"}]}
         ]}
        """

    /// A directory with two records in `osv/`, the SBOM, and an imported `vuln.db`.
    func prepared() throws -> String {
        let directory = CLIRunner.temporaryDirectory()
        try FileManager.default.createDirectory(atPath: directory + "/osv/maven", withIntermediateDirectories: true)
        try Data(Self.log4shell.utf8).write(to: URL(fileURLWithPath: directory + "/osv/maven/GHSA-jfh8-c2jp-5v3q.json"))
        try Data(Self.looneyTunables.utf8).write(to: URL(fileURLWithPath: directory + "/osv/DSA-5514-1.json"))
        try Data(Self.sbom.utf8).write(to: URL(fileURLWithPath: directory + "/sbom.spdx.json"))
        let result = try CLIRunner.run(["db", "import", "--db", directory + "/vuln.db", directory + "/osv"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("2 added, 0 replaced"))
        return directory
    }

    @Test func importStatusAndScan() throws {
        let directory = try prepared()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let db = directory + "/vuln.db"
        let status = try CLIRunner.run(["db", "status", "--db", db, "--format", "json"])
        #expect(status.status == 0, "\(status.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any]
        #expect(object?["records"] as? Int == 2)
        #expect(object?["newestModified"] as? String == "2024-01-01T00:00:00Z")

        let table = try CLIRunner.run(["scan", "--sbom", directory + "/sbom.spdx.json", "--db", db])
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdout.contains("2 packages scanned, 2 findings (CRITICAL 1,"))
        #expect(table.stdout.contains("GHSA-jfh8-c2jp-5v3q  CRITICAL  10.0"))
        #expect(table.stdout.contains("DSA-5514-1"))

        // --exit-code only when a reported finding remains: UNKNOWN is left out by --severity.
        let failing = try CLIRunner.run(
            ["scan", "--sbom", directory + "/sbom.spdx.json", "--db", db, "--severity", "critical", "--exit-code", "5"])
        #expect(failing.status == 5)
        let ignore = directory + "/.trivyignore"
        try Data("CVE-2021-44228\n".utf8).write(to: URL(fileURLWithPath: ignore))
        let passing = try CLIRunner.run([
            "scan", "--sbom", directory + "/sbom.spdx.json", "--db", db, "--severity", "CRITICAL,HIGH", "--exit-code", "5",
            "--ignore", ignore, "--format", "json",
        ])
        #expect(passing.status == 0, "\(passing.stderr)")
        let reports = try JSONSerialization.jsonObject(with: Data(passing.stdout.utf8)) as? [[String: Any]]
        #expect((reports?.first?["findings"] as? [Any])?.count == 0)
        #expect((reports?.first?["suppressed"] as? [[String: Any]])?.first?["source"] as? String == ignore + ":1")
        #expect(reports?.first?["filtered"] as? Int == 1)
        // UNKNOWN counted as HIGH fails again.
        let mapped = try CLIRunner.run([
            "scan", "--sbom", directory + "/sbom.spdx.json", "--db", db, "--severity", "CRITICAL,HIGH", "--exit-code", "5",
            "--ignore", ignore, "--unknown-as", "HIGH",
        ])
        #expect(mapped.status == 5)
    }

    @Test func databaseTravelsAsAnArtifact() throws {
        let directory = try prepared()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let archive = "oci-archive:\(directory)/bundle.tar:vulndb"
        let push = try CLIRunner.run(["db", "push", "--db", directory + "/vuln.db", archive])
        #expect(push.status == 0, "\(push.stderr)")
        #expect(push.stdout.contains("(2 records)"))
        let environment = ["XDG_CACHE_HOME": directory + "/cache"]
        let scan = try CLIRunner.run(
            ["scan", "--sbom", directory + "/sbom.spdx.json", "--db", archive, "--format", "json"], environment: environment)
        #expect(scan.status == 0, "\(scan.stderr)")
        let reports = try JSONSerialization.jsonObject(with: Data(scan.stdout.utf8)) as? [[String: Any]]
        let database = reports?.first?["database"] as? [String: Any]
        #expect((database?["digest"] as? String)?.hasPrefix("sha256:") == true)
        #expect((reports?.first?["findings"] as? [Any])?.count == 2)
        let cached = try FileManager.default.contentsOfDirectory(atPath: directory + "/cache/ocitool/vulndb/sha256")
        #expect(cached.count == 1)
        let status = try CLIRunner.run(["db", "status", "--db", archive], environment: environment)
        #expect(status.stdout.contains("Records:    2"))

        let layout = try CLIRunner.run(["db", "push", "--db", directory + "/vuln.db", directory + "/layout:vulndb"])
        #expect(layout.status == 0, "\(layout.stderr)")
        let fromLayout = try CLIRunner.run(["db", "status", "--db", directory + "/layout"], environment: environment)
        #expect(fromLayout.status == 0, "\(fromLayout.stderr)")
    }

    @Test func badDatabasesAndStaleness() throws {
        let directory = try prepared()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let sbom = directory + "/sbom.spdx.json"
        let text = directory + "/notes.db"
        try Data(String(repeating: "plain text, not SQLite\n", count: 100).utf8).write(to: URL(fileURLWithPath: text))
        let notSQLite = try CLIRunner.run(["scan", "--sbom", sbom, "--db", text])
        #expect(notSQLite.status == 1)
        #expect(notSQLite.stderr.hasPrefix("error: \(text) is not an ocitool vulnerability database"))
        #expect(notSQLite.stdout.isEmpty)

        let missing = try CLIRunner.run(["scan", "--sbom", sbom, "--db", directory + "/none.db"])
        #expect(missing.status == 3)
        #expect(missing.stderr.contains("hint: build one with 'ocitool db import"))

        let stale = try CLIRunner.run(
            ["scan", "--sbom", sbom, "--db", directory + "/vuln.db", "--max-db-age", "0s", "--stale-db-exit-code", "7"])
        #expect(stale.status == 7)
        #expect(stale.stderr.contains("older than --max-db-age 0s"))
        let warned = try CLIRunner.run(["scan", "--sbom", sbom, "--db", directory + "/vuln.db", "--max-db-age", "0s"])
        #expect(warned.status == 0)
        #expect(warned.stderr.hasPrefix("warning: the vulnerability database"))

        let badSeverity = try CLIRunner.run(["scan", "--sbom", sbom, "--severity", "SEVERE"])
        #expect(badSeverity.status == 2)

        let artifact = try CLIRunner.run(["scan", "--sbom", sbom, "--db", "oci-archive:\(directory)/missing.tar"])
        #expect(artifact.status != 0)
        #expect(artifact.stderr.hasPrefix("error: "))
    }

    /// Red Hat rpms cannot be matched (OSV's records name a product stream the purl lacks): the summary counts
    /// them, stderr says so in one line, and the JSON lists each with the reason.
    @Test func redHatPackagesAreNotCheckedAndSaySo() throws {
        let directory = try prepared()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let sbom = directory + "/ubi.cdx.json"
        try Data(
            """
            {"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1, "components": [
              {"type": "library", "name": "glibc", "version": "2.34-60.el9_2.3",
               "purl": "pkg:rpm/redhat/glibc@2.34-60.el9_2.3?arch=x86_64&distro=rhel-9.2"},
              {"type": "library", "name": "log4j-core", "version": "2.14.1",
               "purl": "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"}]}
            """.utf8
        ).write(to: URL(fileURLWithPath: sbom))
        let db = directory + "/vuln.db"
        let table = try CLIRunner.run(["scan", "--sbom", sbom, "--db", db])
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdout.contains("1 packages scanned, 1 findings"))
        #expect(table.stdout.contains("filtered by severity, 1 not scanned"))
        #expect(table.stdout.contains("Not scanned (1):\n  glibc 2.34-60.el9_2.3 (rpm): OSV's Red Hat records"))
        let warnings = table.stderr.split(separator: "\n").filter { $0.hasPrefix("warning: ") }
        #expect(warnings.count == 1, "\(table.stderr)")
        #expect(warnings.first?.hasPrefix("warning: \(sbom): 1 package not checked for vulnerabilities: OSV's Red Hat") == true)
        #expect(warnings.first?.hasSuffix("(1)") == true)

        let json = try CLIRunner.run(["scan", "--sbom", sbom, "--db", db, "--format", "json"])
        #expect(json.status == 0, "\(json.stderr)")
        let reports = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]]
        let notScanned = reports?.first?["packagesNotScanned"] as? [String] ?? []
        #expect(notScanned.count == 1 && notScanned.first?.contains("product stream") == true)
        #expect(json.stderr.contains("warning: "))
    }

    @Test func helpHasExamples() throws {
        for command in [["scan"], ["db", "import"], ["db", "status"], ["db", "push"]] {
            let result = try CLIRunner.run(command + ["--help"])
            #expect(result.status == 0)
            #expect(result.stdout.contains("Examples:"))
            let examples = result.stdout.split(separator: "\n").filter { $0.hasPrefix("  ocitool ") || $0.hasPrefix("      --") }
            #expect(!examples.isEmpty)
            for line in examples { #expect(line.count <= 80, "\(line)") }
        }
    }
}

/// `ocitool scan IMAGE`: an image built by the test, its report attached as a referrer.
@Suite struct ScanImageCLITests {
    @Test func scanAnImageAndAttachTheSARIFReport() throws {
        let directory = try ScanCLITests().prepared()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let layout = try SBOMCLITests.makeLayout()
        let status = ("var/lib/dpkg/status", "Package: libc6\nStatus: install ok installed\nArchitecture: amd64\nSource: glibc\nVersion: 2.36-9+deb12u1\n")
        let image = try SBOMCLITests.image(
            layout, layers: [try SBOMCLITests.layer([SBOMCLITests.osRelease, status])], platform: Platform(architecture: "amd64", os: "linux"))
        _ = try layout.putManifest(try layout.readBlob(image.digest), mediaType: .ociManifest, tag: "1")
        let environment = ["XDG_CACHE_HOME": directory + "/cache"]
        let db = directory + "/vuln.db"

        let table = try CLIRunner.run(["scan", "--db", db, layout.path + ":1"], environment: environment)
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdout.contains("1 packages scanned, 1 findings"))
        #expect(table.stdout.contains("DSA-5514-1"))
        #expect(table.stdout.contains("var/lib/dpkg/status"))

        let attached = try CLIRunner.run(
            ["scan", "--db", db, "--format", "sarif", "--output", directory + "/scan.sarif", "--attach", "--exit-code", "9",
             layout.path + ":1"], environment: environment)
        #expect(attached.status == 9, "\(attached.stderr)")
        #expect(attached.stderr.contains("(application/sarif+json) to \(image.digest)"))
        let discover = try CLIRunner.run(["discover", "--format", "json", layout.path + ":1"])
        #expect(discover.stdout.contains("application/sarif+json"))
        #expect(FileManager.default.fileExists(atPath: directory + "/scan.sarif"))

        let refused = try CLIRunner.run(["scan", "--db", db, "--attach", layout.path + ":1"])
        #expect(refused.status == 2)
        let both = try CLIRunner.run(["scan", "--db", db, "--sbom", directory + "/sbom.spdx.json", layout.path + ":1"])
        #expect(both.status == 2)
    }
}
