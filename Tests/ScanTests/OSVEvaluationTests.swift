// SPDX-License-Identifier: Apache-2.0
import Foundation
import Scan
import Testing

@Suite("Scan: OSV range evaluation")
struct OSVEvaluationTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let record: String
        let ecosystem: String
        let name: String
        let version: String
        /// nil: not affected; "": affected without a fix; else the fixed version reported.
        let fixed: String?
        var testDescription: String { "\(ecosystem) \(name) \(version)" }
    }

    static let cases: [Case] = [
        // Log4Shell: three ranges, Maven order (2.0-beta9 < 2.0-rc1 < 2.0 < 2.3.1).
        Case(record: OSVRecords.log4shell, ecosystem: "Maven", name: "org.apache.logging.log4j:log4j-core", version: "2.14.1", fixed: "2.15.0"),
        Case(record: OSVRecords.log4shell, ecosystem: "Maven", name: "org.apache.logging.log4j:log4j-core", version: "2.13.0", fixed: "2.15.0"),
        Case(record: OSVRecords.log4shell, ecosystem: "Maven", name: "org.apache.logging.log4j:log4j-core", version: "2.0-beta9", fixed: "2.3.1"),
        Case(record: OSVRecords.log4shell, ecosystem: "Maven", name: "org.apache.logging.log4j:log4j-core", version: "2.0-rc1", fixed: "2.3.1"),
        Case(record: OSVRecords.log4shell, ecosystem: "Maven", name: "org.apache.logging.log4j:log4j-core", version: "2.0", fixed: "2.3.1"),
        Case(record: OSVRecords.log4shell, ecosystem: "Maven", name: "org.apache.logging.log4j:log4j-core", version: "2.12.1", fixed: "2.12.2"),
        Case(record: OSVRecords.log4shell, ecosystem: "Maven", name: "org.apache.logging.log4j:log4j-core", version: "2.0-beta8", fixed: nil),
        Case(record: OSVRecords.log4shell, ecosystem: "Maven", name: "org.apache.logging.log4j:log4j-core", version: "2.3.1", fixed: nil),
        Case(record: OSVRecords.log4shell, ecosystem: "Maven", name: "org.apache.logging.log4j:log4j-core", version: "2.3.2", fixed: nil),
        Case(record: OSVRecords.log4shell, ecosystem: "Maven", name: "org.apache.logging.log4j:log4j-core", version: "2.12.2", fixed: nil),
        Case(record: OSVRecords.log4shell, ecosystem: "Maven", name: "org.apache.logging.log4j:log4j-core", version: "2.15.0", fixed: nil),
        Case(record: OSVRecords.log4shell, ecosystem: "Maven", name: "org.apache.logging.log4j:log4j-core", version: "2.17.1", fixed: nil),
        Case(record: OSVRecords.log4shell, ecosystem: "Maven", name: "org.apache.logging.log4j:log4j-api", version: "2.14.1", fixed: nil),
        // minimist: two SEMVER ranges with a gap between them.
        Case(record: OSVRecords.minimist, ecosystem: "npm", name: "minimist", version: "0.0.8", fixed: "0.2.4"),
        Case(record: OSVRecords.minimist, ecosystem: "npm", name: "minimist", version: "0.2.4", fixed: nil),
        Case(record: OSVRecords.minimist, ecosystem: "npm", name: "minimist", version: "0.2.5", fixed: nil),
        Case(record: OSVRecords.minimist, ecosystem: "npm", name: "minimist", version: "1.0.0", fixed: "1.2.6"),
        Case(record: OSVRecords.minimist, ecosystem: "npm", name: "minimist", version: "1.2.5", fixed: "1.2.6"),
        Case(record: OSVRecords.minimist, ecosystem: "npm", name: "minimist", version: "1.2.6-beta.1", fixed: "1.2.6"),
        Case(record: OSVRecords.minimist, ecosystem: "npm", name: "minimist", version: "1.2.6", fixed: nil),
        Case(record: OSVRecords.minimist, ecosystem: "npm", name: "minimist", version: "1.2.8", fixed: nil),
        // Debian: dpkg order (+deb12u1 < +deb12u3), release-specific ecosystem.
        Case(record: OSVRecords.looneyTunables, ecosystem: "Debian:12", name: "glibc", version: "2.36-9", fixed: "2.36-9+deb12u3"),
        Case(record: OSVRecords.looneyTunables, ecosystem: "Debian:12", name: "glibc", version: "2.36-9+deb12u1", fixed: "2.36-9+deb12u3"),
        Case(record: OSVRecords.looneyTunables, ecosystem: "Debian:12", name: "glibc", version: "2.36-9+deb12u3", fixed: nil),
        Case(record: OSVRecords.looneyTunables, ecosystem: "Debian:12", name: "glibc", version: "2.36-9+deb12u10", fixed: nil),
        Case(record: OSVRecords.looneyTunables, ecosystem: "Debian:11", name: "glibc", version: "2.31-13+deb11u6", fixed: nil),
        // Alpine: apk order (-r suffixes, _rc before the release).
        Case(record: OSVRecords.alpineOpenSSL, ecosystem: "Alpine:v3.18", name: "openssl", version: "3.1.3-r0", fixed: "3.1.4-r0"),
        Case(record: OSVRecords.alpineOpenSSL, ecosystem: "Alpine:v3.18", name: "openssl", version: "3.1.4_rc1-r0", fixed: "3.1.4-r0"),
        Case(record: OSVRecords.alpineOpenSSL, ecosystem: "Alpine:v3.18", name: "openssl", version: "3.1.4-r0", fixed: nil),
        Case(record: OSVRecords.alpineOpenSSL, ecosystem: "Alpine:v3.18", name: "openssl", version: "3.1.4-r5", fixed: nil),
        // Go: SEMVER with a pre-release introduced and a pseudo-version fix.
        Case(record: OSVRecords.goHTTP2, ecosystem: "Go", name: "stdlib", version: "1.18.5", fixed: "1.18.6"),
        Case(record: OSVRecords.goHTTP2, ecosystem: "Go", name: "stdlib", version: "1.18.6", fixed: nil),
        Case(record: OSVRecords.goHTTP2, ecosystem: "Go", name: "stdlib", version: "1.19.0-rc.1", fixed: "1.19.1"),
        Case(record: OSVRecords.goHTTP2, ecosystem: "Go", name: "stdlib", version: "1.19.0", fixed: "1.19.1"),
        Case(record: OSVRecords.goHTTP2, ecosystem: "Go", name: "stdlib", version: "1.19.1", fixed: nil),
        Case(record: OSVRecords.goHTTP2, ecosystem: "Go", name: "golang.org/x/net", version: "0.0.0-20220826154423-83b083e8dc8b", fixed: "0.0.0-20220906165146-f3363e06e74c"),
        Case(record: OSVRecords.goHTTP2, ecosystem: "Go", name: "golang.org/x/net", version: "0.0.0-20220906165146-f3363e06e74c", fixed: nil),
        Case(record: OSVRecords.goHTTP2, ecosystem: "Go", name: "golang.org/x/net", version: "0.1.0", fixed: nil),
        // PyPI: the installed name "Jinja2" matches the record's "jinja2"; PEP 440 order.
        Case(record: OSVRecords.jinja2, ecosystem: "PyPI", name: "Jinja2", version: "3.1.2", fixed: "3.1.3"),
        Case(record: OSVRecords.jinja2, ecosystem: "PyPI", name: "jinja2", version: "3.1.3rc1", fixed: "3.1.3"),
        Case(record: OSVRecords.jinja2, ecosystem: "PyPI", name: "jinja2", version: "3.1.3", fixed: nil),
        Case(record: OSVRecords.jinja2, ecosystem: "PyPI", name: "jinja2", version: "3.1.3.post1", fixed: nil),
        // Red Hat: rpm order with an epoch.
        Case(record: OSVRecords.redHatGlibc, ecosystem: "Red Hat:rhel_eus:9.2::baseos", name: "glibc", version: "2.34-60.el9_2.3", fixed: "0:2.34-60.el9_2.7"),
        Case(record: OSVRecords.redHatGlibc, ecosystem: "Red Hat:rhel_eus:9.2::baseos", name: "glibc", version: "2.34-60.el9_2.7", fixed: nil),
        Case(record: OSVRecords.redHatGlibc, ecosystem: "Red Hat:rhel_eus:9.2::baseos", name: "glibc", version: "1:2.0-1.el9", fixed: nil),
        // Synthetic: last_affected is inclusive; limit cuts a range; versions list; normalised PyPI name.
        Case(record: OSVRecords.synthetic, ecosystem: "PyPI", name: "example-package", version: "1.4.2", fixed: ""),
        Case(record: OSVRecords.synthetic, ecosystem: "PyPI", name: "example.package", version: "1.4.2.post1", fixed: nil),
        Case(record: OSVRecords.synthetic, ecosystem: "PyPI", name: "Example-Package", version: "0.9", fixed: nil),
        Case(record: OSVRecords.synthetic, ecosystem: "PyPI", name: "example_package", version: "0.4", fixed: "0.9"),
        Case(record: OSVRecords.synthetic, ecosystem: "PyPI", name: "example_package", version: "0.6", fixed: nil),
        Case(record: OSVRecords.synthetic, ecosystem: "PyPI", name: "example_package", version: "2.0.dev1", fixed: ""),
        Case(record: OSVRecords.synthetic, ecosystem: "PyPI", name: "example_package", version: "2.0", fixed: nil),
    ]

    @Test(arguments: cases)
    func evaluates(_ test: Case) throws {
        let record = try OSVRecord.decode(Data(test.record.utf8))
        let match = record.evaluate(ecosystem: test.ecosystem, name: test.name, version: test.version)
        #expect(match.isAffected == (test.fixed != nil), "\(record.id): \(match)")
        if let fixed = test.fixed {
            #expect(match.fixedVersion == (fixed.isEmpty ? nil : fixed), "\(record.id): \(match)")
            #expect(match.reason != nil)
        }
        #expect(!match.skips.contains { if case .gitRange = $0.reason { false } else { true } }, "\(match.skips)")
    }

    @Test func reasonNamesTheRange() throws {
        let record = try OSVRecord.decode(Data(OSVRecords.log4shell.utf8))
        let match = record.evaluate(ecosystem: "Maven", name: "org.apache.logging.log4j:log4j-core", version: "2.1")
        #expect(match.reason == "ECOSYSTEM [introduced 2.0-beta9, fixed 2.3.1]")
        #expect(record.aliases == ["CVE-2021-44228"])
        #expect(record.databaseSpecific?.severity == "CRITICAL")
        #expect(record.severity?.first?.type == "CVSS_V3")
    }

    @Test func gitRangesAreIgnoredAndCounted() throws {
        let record = try OSVRecord.decode(Data(OSVRecords.synthetic.utf8))
        let match = record.evaluate(ecosystem: "PyPI", name: "example-package", version: "3.0")
        #expect(!match.isAffected)
        #expect(match.skips == [OSVSkip(recordID: "TEST-2026-0001", reason: .gitRange)])
    }

    @Test func withdrawnRecordsNeverMatch() throws {
        let record = try OSVRecord.decode(Data(OSVRecords.withdrawn.utf8))
        let match = record.evaluate(ecosystem: "npm", name: "left-pad", version: "1.0.0")
        #expect(!match.isAffected)
        #expect(match.skips == [OSVSkip(recordID: "TEST-2026-0002", reason: .withdrawn)])
    }

    @Test func ecosystemSchemes() {
        let expected: [(String, String?)] = [
            ("Debian:12", "dpkg"), ("Debian", "dpkg"), ("Ubuntu:22.04:LTS", "dpkg"), ("Alpine:v3.19", "apk"),
            ("PyPI", "PEP 440"), ("npm", "SemVer"), ("Go", "Go"), ("Maven", "Maven"), ("Red Hat:enterprise_linux:9", "rpm"),
            ("Rocky Linux:9", "rpm"), ("AlmaLinux:8", "rpm"), ("crates.io", nil), ("debian:12", nil),
        ]
        for (ecosystem, name) in expected {
            #expect(Ecosystem.scheme(for: ecosystem)?.name == name, "\(ecosystem)")
        }
    }
}
