// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
import Scan
import Testing

/// Red Hat packages: OSV's Red Hat records name a product stream (`Red Hat:rhel_eus:9.2::baseos`) that neither a
/// purl nor os-release carries, so such packages are reported as not checked, never as clean: in the report, its
/// reasons, and the SARIF and CycloneDX outputs.
@Suite("Red Hat packages are reported as not checked")
struct RedHatNotScannedTests {
    /// A CycloneDX SBOM as syft writes one for a UBI 9 image: two rpms from Red Hat (one with the `distro`
    /// qualifier, one without) and a PyPI package beside them.
    static let ubiSBOM = """
        {"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1, "components": [
          {"type": "library", "name": "glibc", "version": "2.34-60.el9_2.3",
           "purl": "pkg:rpm/redhat/glibc@2.34-60.el9_2.3?arch=x86_64&distro=rhel-9.2"},
          {"type": "library", "name": "openssl-libs", "version": "1:3.0.7-24.el9",
           "purl": "pkg:rpm/redhat/openssl-libs@3.0.7-24.el9?arch=x86_64&epoch=1"},
          {"type": "library", "name": "Jinja2", "version": "3.1.2", "purl": "pkg:pypi/jinja2@3.1.2"}
        ]}
        """

    static let reason = Ecosystem.unmatchableReason("Red Hat:enterprise_linux:9") ?? "(none)"

    private func report() throws -> ScanReport {
        let path = try ScanFixtures.write(Self.ubiSBOM, to: "bom.cdx.json", in: try ScanFixtures.directory())
        let contents = try SBOMReader.read(path: path)
        #expect(contents.unsupported.isEmpty)
        // The distro qualifier gives the release; without it the namespace still says Red Hat.
        #expect(contents.packages.map(\.ecosystem) == ["Red Hat:enterprise_linux:9", "Red Hat", "PyPI"])
        let (database, _, _) = try ScanFixtures.database()
        return try VulnerabilityScanner(database: database).report(
            contents.packages, target: ScanTarget(name: "ubi.cdx.json"),
            databaseInfo: DatabaseInfo(source: "vuln.db", builtAt: nil, records: 9), policy: ScanPolicy())
    }

    @Test("an SBOM's Red Hat rpms are listed as not checked, with the reason; the rest is matched")
    func sbomPackages() throws {
        let report = try report()
        // The database holds RHSA-2023:5453 for glibc, under a product stream: never a silent "no vulnerabilities".
        #expect(report.findings.map(\.id) == ["GHSA-h5c8-rqwp-cp95"])
        #expect(report.packagesScanned == 1)
        #expect(
            report.packagesNotScanned == [
                "glibc 2.34-60.el9_2.3 (rpm): \(Self.reason)", "openssl-libs 1:3.0.7-24.el9 (rpm): \(Self.reason)",
            ])
        #expect(report.notScannedReasons.map { $0.reason } == [Self.reason])
        #expect(report.notScannedReasons.map { $0.count } == [2])
        #expect(Self.reason.contains("product stream"))
    }

    @Test("an image's rpms from a RHEL os-release are not checked; a package naming a whole stream is")
    func imagePackages() throws {
        let rhel = Distro(id: "rhel", versionID: "9.2", prettyName: "Red Hat Enterprise Linux 9.2 (Plow)")
        let cataloged = ScanFixtures.package(
            .rpm, "glibc", "2.34-60.el9_2.3", purl: "pkg:rpm/glibc@2.34-60.el9_2.3?arch=x86_64", ecosystem: nil,
            path: "var/lib/rpm/rpmdb.sqlite")
        let finished = Distro.finish(cataloged, distro: rhel)
        #expect(finished.ecosystem == "Red Hat:enterprise_linux:9")
        #expect(finished.purl.namespace == "redhat")
        let stream = ScanFixtures.package(
            .rpm, "glibc", "2.34-60.el9_2.3", purl: "pkg:rpm/redhat/glibc@2.34-60.el9_2.3",
            ecosystem: "Red Hat:rhel_eus:9.2::baseos", path: "other")
        let (database, _, _) = try ScanFixtures.database()
        let matches = try VulnerabilityScanner(database: database).match([finished, stream])
        #expect(matches.notScanned == ["glibc 2.34-60.el9_2.3 (rpm): \(Self.reason)"])
        #expect(matches.packagesScanned == 1)
        #expect(matches.findings.map(\.id) == ["RHSA-2023:5453"])
        #expect(matches.findings.first?.location.path == "other")
        // Other rpm distros OSV publishes by release are looked up as before.
        #expect(Ecosystem.unmatchableReason("Rocky Linux:9") == nil)
        #expect(Ecosystem.unmatchableReason("AlmaLinux:9") == nil)
        #expect(Ecosystem.unmatchableReason("Debian:12") == nil)
    }

    @Test("SARIF carries each package not checked as a warning notification; CycloneDX as metadata properties")
    func outputs() throws {
        let report = try report()
        let sarif = try SARIFReport.render([report], toolVersion: "0.1.0")
        let log = try #require(try JSONSerialization.jsonObject(with: sarif) as? [String: Any])
        let run = try #require((log["runs"] as? [[String: Any]])?.first)
        let invocation = try #require((run["invocations"] as? [[String: Any]])?.first)
        #expect(invocation["executionSuccessful"] as? Bool == true)
        let notifications = try #require(invocation["toolExecutionNotifications"] as? [[String: Any]])
        #expect(notifications.count == 2)
        #expect(notifications.allSatisfy { $0["level"] as? String == "warning" })
        let texts = notifications.compactMap { ($0["message"] as? [String: Any])?["text"] as? String }
        #expect(texts.first == "Not scanned: glibc 2.34-60.el9_2.3 (rpm): \(Self.reason)")
        let descriptor = notifications.first?["descriptor"] as? [String: Any]
        let driver = (run["tool"] as? [String: Any])?["driver"] as? [String: Any]
        let declared = (driver?["notifications"] as? [[String: Any]])?.first?["id"] as? String
        #expect(descriptor?["id"] as? String == declared && declared == "package-not-scanned")
        let properties = run["properties"] as? [String: Any]
        #expect(properties?["packagesNotScanned"] as? Int == 2 && properties?["packagesScanned"] as? Int == 1)

        let bom = try CycloneDXVEXReport.render([report], toolVersion: "0.1.0", timestamp: Date(), serial: UUID())
        let document = try #require(try JSONSerialization.jsonObject(with: bom) as? [String: Any])
        let metadata = try #require(document["metadata"] as? [String: Any])
        let entries = try #require(metadata["properties"] as? [[String: Any]])
        #expect(entries.map { $0["name"] as? String } == ["ocitool:scan:notScanned", "ocitool:scan:notScanned"])
        #expect(entries.last?["value"] as? String == "openssl-libs 1:3.0.7-24.el9 (rpm): \(Self.reason)")
    }
}
