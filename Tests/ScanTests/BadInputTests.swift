// SPDX-License-Identifier: Apache-2.0
import Foundation
import Scan
import Testing

/// Bad input is one clear error or a counted skip with its reason: never a crash, never a silent "not affected".
@Suite("Scan: bad input")
struct BadInputTests {
    static let badVersions: [(any VersionScheme, [String])] = [
        (DpkgVersionScheme(), ["", "a1.0", "1:", ":1.0", "x:1.0", "1.0-", "1.0 2", "1.0-1_2", "1.0$", "99999999999:1"]),
        (RPMVersionScheme(), ["", "1.0 1", "x:1.0", "1.0-", "-1", "1.0\u{7}", "é"]),
        (APKVersionScheme(), ["", "a1", "1.0_foo", "1.0-1", "1.0-r", "1.0_rc1a", "1.0a.1b", "1..0", "1.0~", "1.0-r1-r2"]),
        (PEP440VersionScheme(), ["", "abc", "1.0+", "1.0+local..x", "1.0-", "1.0.x", "1!", "1.0rc1rc2", "1.0.post1.post2"]),
        (SemVerScheme(), ["", "1", "1.2", "1.2.3.4", "01.2.3", "1.2.3-", "1.2.3-01", "1.2.3+", "1.2.3-a..b", "1.2.3-é"]),
        (GoVersionScheme(), ["", "vx", "v1.2.3+build", "v1.2-pre", "v01.2.3", "latest"]),
        (MavenVersionScheme(), ["", "1.0 beta", "1.0\t"]),
    ]

    @Test func badVersionsAreClearErrors() {
        for (scheme, versions) in Self.badVersions {
            for version in versions {
                do {
                    try scheme.validate(version)
                    Issue.record("\(scheme.name) accepted \"\(version)\"")
                } catch let error as ScanError {
                    guard case .invalidVersion(let name, let text, let reason) = error else {
                        Issue.record("\(scheme.name) \"\(version)\": \(error)")
                        continue
                    }
                    #expect(name == scheme.name && text == version && !reason.isEmpty)
                    #expect(error.description.contains(scheme.name))
                } catch {
                    Issue.record("\(scheme.name) \"\(version)\": not a ScanError: \(error)")
                }
                // compare refuses it too, in either position, rather than ordering it somewhere.
                #expect(throws: ScanError.self) { try scheme.compare(version, "1.0.0") }
                #expect(throws: ScanError.self) { try scheme.compare("1.0.0", version) }
            }
        }
    }

    @Test func badVersionInARecordIsACountedSkip() throws {
        let record = try OSVRecord.decode(Data(OSVRecords.badVersion.utf8))
        let match = record.evaluate(ecosystem: "Debian:12", name: "zlib", version: "1:1.2.13.dfsg-1")
        #expect(!match.isAffected)
        let skip = try #require(match.skips.first)
        #expect(match.skips.count == 1)
        guard case .invalidVersion(let message) = skip.reason else {
            Issue.record("expected an invalid-version skip: \(skip)")
            return
        }
        #expect(message.contains("not a version!"))
    }

    @Test func badInstalledVersionIsACountedSkip() throws {
        let record = try OSVRecord.decode(Data(OSVRecords.looneyTunables.utf8))
        let match = record.evaluate(ecosystem: "Debian:12", name: "glibc", version: "garbage version")
        #expect(!match.isAffected)
        #expect(match.skips.count == 1)
    }

    @Test func unknownRangeTypeIsACountedSkipAndTheRestStillMatches() throws {
        let record = try OSVRecord.decode(Data(OSVRecords.unknownRangeType.utf8))
        let match = record.evaluate(ecosystem: "npm", name: "left-pad", version: "1.2.0")
        #expect(match.isAffected)
        #expect(match.fixedVersion == "1.3.0")
        #expect(match.skips == [OSVSkip(recordID: "TEST-2026-0003", reason: .unknownRangeType("CALVER"))])
        #expect(match.skips.first?.description == "TEST-2026-0003: unknown range type \"CALVER\"")
    }

    @Test func unknownEcosystemIsACountedSkip() throws {
        let json = """
            {"id": "TEST-2026-0005", "affected": [{"package": {"ecosystem": "Hackage", "name": "aeson"},
              "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}]}]}]}
            """
        let match = try OSVRecord.decode(Data(json.utf8)).evaluate(ecosystem: "Hackage", name: "aeson", version: "2.0")
        #expect(!match.isAffected)
        #expect(match.skips == [OSVSkip(recordID: "TEST-2026-0005", reason: .unknownEcosystem("Hackage"))])
    }

    @Test func malformedRangesAreCountedSkips() throws {
        let json = """
            {"id": "TEST-2026-0006", "affected": [{"package": {"ecosystem": "npm", "name": "x"}, "ranges": [
              {"type": "SEMVER", "events": []},
              {"type": "SEMVER", "events": [{"introduced": "0", "fixed": "1.0.0"}]},
              {"type": "SEMVER", "events": [{}]}]}]}
            """
        let match = try OSVRecord.decode(Data(json.utf8)).evaluate(ecosystem: "npm", name: "x", version: "0.5.0")
        #expect(!match.isAffected)
        #expect(match.skips.count == 3)
        #expect(match.skips.allSatisfy { if case .invalidRange = $0.reason { true } else { false } })
    }

    @Test func oversizedRecordIsRefusedBeforeParsing() {
        let padding = String(repeating: " ", count: OSVRecord.defaultSizeLimit)
        let data = Data(("{\"id\": \"TEST-2026-0007\"" + padding + "}").utf8)
        #expect(throws: ScanError.inputTooLarge(what: "OSV record", size: data.count, limit: OSVRecord.defaultSizeLimit)) {
            try OSVRecord.decode(data)
        }
        #expect(throws: ScanError.self) { try OSVRecord.decode(Data(OSVRecords.log4shell.utf8), limit: 100) }
    }

    @Test(arguments: [
        "", "[]", "{", "{\"modified\": \"2024-01-01T00:00:00Z\"}", "{\"id\": 12}", "{\"id\": \"\"}",
        "{\"id\": \"X\", \"affected\": {}}", "{\"id\": \"X\", \"affected\": [{\"ranges\": [{\"events\": []}]}]}",
        "{\"id\": \"X\", \"affected\": [{\"ranges\": [{\"type\": \"SEMVER\", \"events\": [{\"fixed\": 1}]}]}]}",
    ])
    func malformedRecordsAreClearErrors(_ json: String) {
        do {
            _ = try OSVRecord.decode(Data(json.utf8))
            Issue.record("decoded \(json)")
        } catch let error as ScanError {
            guard case .invalidRecord(_, let reason) = error else {
                Issue.record("\(error)")
                return
            }
            #expect(!reason.isEmpty)
        } catch {
            Issue.record("not a ScanError: \(error)")
        }
    }

    @Test func deepNestingInUnknownFieldsIsAnErrorNotACrash() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        let json = "{\"id\": \"TEST-2026-0008\", \"database_specific\": {\"x\": \(deep)}}"
        // Foundation's parser limits nesting depth; either way the answer is a ScanError or a record.
        do {
            _ = try OSVRecord.decode(Data(json.utf8))
        } catch {
            #expect(error is ScanError)
        }
    }
}
