// SPDX-License-Identifier: Apache-2.0
import Foundation
import Scan
import Testing

@Suite("Matching")
struct MatchingTests {
    /// Finds by package name and id.
    private func byPackage(_ findings: [Finding]) -> [String: [Finding]] {
        Dictionary(grouping: findings, by: \.package.name)
    }

    @Test("published advisories match the affected package of each ecosystem, with the fix and the range")
    func publishedAdvisories() throws {
        let (database, _, _) = try ScanFixtures.database()
        let matches = try VulnerabilityScanner(database: database).match(ScanFixtures.packages)
        let found = byPackage(matches.findings)

        // Debian: by source package (libc6 from glibc), dpkg order; the fixed libc-bin does not match.
        let glibc = try #require(found["libc6"]?.first)
        #expect(glibc.id == "DSA-5514-1")
        #expect(glibc.aliases == ["CVE-2023-4911"])
        #expect(glibc.fixedVersion == "2.36-9+deb12u3")
        #expect(glibc.package.sourceName == "glibc")
        #expect(glibc.package.ecosystem == "Debian:12")
        #expect(glibc.matched.contains("ECOSYSTEM [introduced 0, fixed 2.36-9+deb12u3]"))
        #expect(glibc.severity == .unknown)
        #expect(glibc.location.path == "var/lib/dpkg/status")
        #expect(glibc.location.layer != nil)
        #expect(found["libc-bin"] == nil)

        // Alpine by origin.
        #expect(found["libcrypto3"]?.map(\.id) == ["ALPINE-CVE-2023-5363"])
        #expect(found["libcrypto3"]?.first?.fixedVersion == "3.1.4-r0")
        // PyPI: "Jinja2" installed, "jinja2" published.
        #expect(found["Jinja2"]?.map(\.id) == ["GHSA-h5c8-rqwp-cp95"])
        #expect(found["Jinja2"]?.first?.fixedVersion == "3.1.3")
        // npm, second range.
        #expect(found["minimist"]?.map(\.id) == ["GHSA-xvch-5gv4-984h"])
        #expect(found["minimist"]?.first?.fixedVersion == "1.2.6")
        // Go: the toolchain as stdlib (go1.19.0 → 1.19.0, in the second introduced/fixed pair), a pseudo-version.
        #expect(found["stdlib"]?.first?.fixedVersion == "1.19.1")
        #expect(found["golang.org/x/net"]?.first?.fixedVersion == "0.0.0-20220906165146-f3363e06e74c")
        // Maven: Log4Shell.
        let log4j = try #require(found["org.apache.logging.log4j:log4j-core"]?.first)
        #expect(log4j.id == "GHSA-jfh8-c2jp-5v3q")
        #expect(log4j.aliases == ["CVE-2021-44228"])
        #expect(log4j.fixedVersion == "2.15.0")
        #expect(log4j.severity == .critical)
        #expect(log4j.severitySource == "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H")

        // The withdrawn record never matches left-pad; the record with a CALVER range matches by its SEMVER
        // range and says what it skipped.
        #expect(found["left-pad"]?.map(\.id) == ["TEST-2026-0003"])
        #expect(matches.skips.contains { $0.contains("TEST-2026-0003: unknown range type \"CALVER\"") })
        // No ecosystem: reported, never silently clean.
        #expect(matches.notScanned == ["tzdata 2024a-0+deb12u1 (deb): no OSV ecosystem"])
        #expect(matches.packagesScanned == ScanFixtures.packages.count - 1)
        #expect(matches.findings.count == 8)
    }

    @Test("scores agree with the cvss package for the vectors the findings carry", .enabled(if: Oracle.hasVenv))
    func scoresAgainstOracle() throws {
        let (database, _, _) = try ScanFixtures.database()
        let scored = try VulnerabilityScanner(database: database).match(ScanFixtures.packages).findings.filter { $0.score != nil }
        #expect(scored.count == 2)
        let expected = try Oracle.cvss("cvss3", scored.map(\.severitySource))
        for (finding, oracle) in zip(scored, expected) {
            #expect(oracle == String(format: "%.1f", finding.score ?? -1) + " " + finding.severity.rawValue)
        }
    }

    @Test("an installed version the ecosystem cannot parse is a reported skip, not a clean result")
    func badInstalledVersion() throws {
        let (database, _, _) = try ScanFixtures.database()
        let package = ScanFixtures.package(
            .npm, "minimist", "not-a-version", purl: "pkg:npm/minimist@not-a-version", ecosystem: "npm")
        let matches = try VulnerabilityScanner(database: database).match([package])
        #expect(matches.findings.isEmpty)
        #expect(matches.skips.contains { $0.hasPrefix("GHSA-xvch-5gv4-984h: invalid SemVer version \"not-a-version\"") })
    }
}
