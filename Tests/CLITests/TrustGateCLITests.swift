// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing
import TestSupport

/// The promotion gates as users run them: copy, sync and import with --require-signature take signed images
/// (their signatures along) and refuse the rest with exit 4 and one error line, writing nothing of them.
@Suite("CLI: signature gates")
struct TrustGateCLITests {
    /// `DIR/app` holding `v1` (signed with `DIR/cosign.key`, legacy form) and `v2` (unsigned).
    static func withGatedSetup(_ body: (String) throws -> Void) throws {
        try TrustCLITests.withSignedSetup { directory in
            try CLIRunner.makeDockerArchive(at: directory + "/b.tar", tags: ["app:v2"], layers: 1)
            #expect(try CLIRunner.run(["import", directory + "/b.tar", directory + "/app"]).status == 0)
            let signed = try TrustCLITests.sign([
                "--key", directory + "/cosign.key", "--format", "legacy", "--identity", TrustCLITests.identity, directory + "/app:v1",
            ])
            #expect(signed.status == 0, "\(signed.stderr)")
            try body(directory)
        }
    }

    static func errorLines(_ text: String) -> Int { text.split(separator: "\n").filter { $0.hasPrefix("error: ") }.count }

    @Test func copyPromotesOnlySignedImages() throws {
        try Self.withGatedSetup { directory in
            let key = directory + "/cosign.pub"
            let refused = try CLIRunner.run(["copy", "--require-signature", key, directory + "/app:v2", directory + "/prod:v2"])
            #expect(refused.status == 4, "\(refused.stderr)")
            #expect(Self.errorLines(refused.stderr) == 1 && refused.stderr.contains("was refused: no signature found"), "\(refused.stderr)")
            #expect(!FileManager.default.fileExists(atPath: directory + "/prod/index.json"))

            let promoted = try CLIRunner.run(["copy", "--require-signature", "\(key),\(key)", directory + "/app:v1", directory + "/prod:v1"])
            #expect(promoted.status == 0, "\(promoted.stderr)")
            #expect(promoted.stdout.contains("1 referrer"), "\(promoted.stdout)")
            let verified = try CLIRunner.run(["verify", "--key", key, "--ignore-identity", directory + "/prod:v1"])
            #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")

            // A key that cannot be read is a failure before anything is copied.
            let noKey = try CLIRunner.run(["copy", "--require-signature", directory + "/none.pub", directory + "/app:v1", directory + "/x:v1"])
            #expect(noKey.status != 0 && noKey.status != 4)
            #expect(noKey.stderr.contains("none.pub"), "\(noKey.stderr)")
            #expect(!FileManager.default.fileExists(atPath: directory + "/x/index.json"))
        }
    }

    @Test func syncReportsRefusedTagsWithTheirReason() throws {
        try Self.withGatedSetup { directory in
            let result = try CLIRunner.run([
                "sync", "--require-signature", directory + "/cosign.pub", "--keep-going", "--report", directory + "/report.json",
                directory + "/app", directory + "/mirror",
            ])
            #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
            #expect(result.stdout.contains("copied  \(directory)/app:v1"), "\(result.stdout)")
            #expect(result.stdout.contains("failed  \(directory)/app:v2: "), "\(result.stdout)")
            #expect(result.stdout.contains("was refused: no signature found"), "\(result.stdout)")
            let report = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: directory + "/report.json"))) as? [String: Any]
            #expect(report?["copied"] as? Int == 1 && report?["failed"] as? Int == 1)
            // The signature came with v1; v2 is not there.
            let listed = try CLIRunner.run(["ls", directory + "/mirror"])
            #expect(listed.stdout.contains(".sig") && !listed.stdout.contains("v2"), "\(listed.stdout)")
            #expect(try CLIRunner.run(["verify", "--key", directory + "/cosign.pub", "--ignore-identity", directory + "/mirror:v1"]).status == 0)
        }
    }

    @Test func importAdmitsASignedBundleOnly() throws {
        try Self.withGatedSetup { directory in
            let key = directory + "/cosign.pub"
            #expect(try CLIRunner.run(["copy", directory + "/app:v1", "oci-archive:\(directory)/signed.tar:v1"]).status == 0)
            #expect(try CLIRunner.run(["copy", directory + "/app:v2", "oci-archive:\(directory)/unsigned.tar:v2"]).status == 0)
            let refused = try CLIRunner.run(["import", "--require-signature", key, directory + "/unsigned.tar", directory + "/airgap"])
            #expect(refused.status == 4, "\(refused.stderr)")
            #expect(Self.errorLines(refused.stderr) == 1 && refused.stderr.contains("refused"), "\(refused.stderr)")
            #expect(!FileManager.default.fileExists(atPath: directory + "/airgap/index.json"))

            let admitted = try CLIRunner.run(["import", "--require-signature", key, directory + "/signed.tar", directory + "/airgap"])
            #expect(admitted.status == 0, "\(admitted.stderr)")
            #expect(try CLIRunner.run(["verify", "--key", key, "--ignore-identity", directory + "/airgap:v1"]).status == 0)
        }
    }

    /// A dry run asks the gate: the tag the real run refuses is listed as failing, with the same reason; nothing
    /// is written.
    @Test func syncDryRunReportsTheTagsItWouldRefuse() throws {
        try Self.withGatedSetup { directory in
            let key = directory + "/cosign.pub"
            func sync(_ extra: [String], report: String) throws -> CLIRunner.Result {
                try CLIRunner.run(
                    ["sync", "--require-signature", key, "--keep-going", "--report", report] + extra
                        + [directory + "/app", directory + "/mirror"])
            }
            func refusal(_ report: String) throws -> String? {
                let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: report))) as? [String: Any]
                let results = json?["results"] as? [[String: Any]] ?? []
                return results.first { $0["tag"] as? String == "v2" && $0["status"] as? String == "failed" }?["error"] as? String
            }
            let planned = try sync(["--dry-run"], report: directory + "/plan.json")
            #expect(planned.status == 1, "\(planned.stdout)\(planned.stderr)")
            #expect(planned.stdout.contains("fail: ") && planned.stdout.contains("was refused: no signature found"), "\(planned.stdout)")
            #expect(planned.stdout.contains("copy (new)"), "\(planned.stdout)")
            #expect(planned.stdout.contains("1 to copy, 0 up to date, 1 failed"), "\(planned.stdout)")
            #expect(!FileManager.default.fileExists(atPath: directory + "/mirror"))

            let real = try sync([], report: directory + "/real.json")
            #expect(real.status == 1, "\(real.stdout)\(real.stderr)")
            let dryReason = try refusal(directory + "/plan.json")
            let realReason = try refusal(directory + "/real.json")
            #expect(dryReason != nil && dryReason == realReason, "\(planned.stdout)\(real.stdout)")
        }
    }
}
