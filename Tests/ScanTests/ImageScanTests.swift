// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
import Scan
import Testing

@Suite("Scanning images built by the tests")
struct ImageScanTests {
    typealias F = ScanImageFixtures

    @Test("a Debian image with a vulnerable glibc: found by source package, with its layer and path; a later layer's fix clears it")
    func debianImage() throws {
        let layout = try F.makeLayout()
        let vulnerable = try F.layer([
            .file("etc/os-release", F.debianOSRelease),
            .file("var/lib/dpkg/status", "Package: libc6\nStatus: install ok installed\nVersion: 2.36-9+deb12u1\nSource: glibc\n\n"
                + "Package: libc-bin\nStatus: install ok installed\nVersion: 2.36-9+deb12u1\nSource: glibc\n"),
        ])
        let fixed = try F.layer([
            .file("var/lib/dpkg/status", "Package: libc6\nStatus: install ok installed\nVersion: 2.36-9+deb12u3\nSource: glibc\n")
        ])
        let old = try F.pushImage(layout, layers: [vulnerable], tag: "old")
        let new = try F.pushImage(layout, layers: [vulnerable, fixed], tag: "new")
        let (database, _, _) = try ScanFixtures.database()
        let scanner = VulnerabilityScanner(database: database)
        let info = DatabaseInfo(source: "test", builtAt: Date(), records: 9)
        let source = LayoutEndpoint(layout)

        let reports = try scanner.scanImage(old, in: source, name: "old", databaseInfo: info, policy: ScanPolicy())
        let report = try #require(reports.first)
        #expect(report.target.manifest == old.digest)
        #expect(report.target.distro?.id == "debian")
        #expect(report.findings.map(\.id) == ["DSA-5514-1", "DSA-5514-1"])
        #expect(Set(report.findings.map(\.package.name)) == ["libc6", "libc-bin"])
        let finding = try #require(report.findings.first)
        #expect(finding.location.path == "var/lib/dpkg/status")
        #expect(finding.location.layer == Digest.sha256(of: vulnerable))
        #expect(finding.package.ecosystem == "Debian:12")
        #expect(finding.fixedVersion == "2.36-9+deb12u3")

        let patched = try scanner.scanImage(new, in: source, name: "new", databaseInfo: info, policy: ScanPolicy())
        #expect(patched.first?.findings.isEmpty == true)
        #expect(patched.first?.packagesScanned == 1)
    }
}
