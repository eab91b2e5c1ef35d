// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing
import TestSupport

/// sign, attest and verify with several images in one call: the key read once, a result per image, the first
/// failure of sign stopping it (the images before it stay signed), verify reporting every image.
@Suite("CLI: sign and verify several images")
struct TrustBatchCLITests {
    /// `DIR/app` holding `v1` and `v2`, neither signed, and the key pair `DIR/cosign.key`, `DIR/cosign.pub`.
    static func withTwoImages(_ body: (String) throws -> Void) throws {
        try TrustCLITests.withSignedSetup { directory in
            try CLIRunner.makeDockerArchive(at: directory + "/b.tar", tags: ["app:v2"], layers: 1)
            #expect(try CLIRunner.run(["import", directory + "/b.tar", directory + "/app"]).status == 0)
            try body(directory)
        }
    }

    static func lines(_ text: String, prefix: String) -> [Substring] {
        text.split(separator: "\n").filter { $0.hasPrefix(prefix) }
    }

    @Test func signTwoImagesInOneCallAndVerifyBoth() throws {
        try Self.withTwoImages { directory in
            let images = [directory + "/app:v1", directory + "/app:v2"]
            let signed = try TrustCLITests.sign(["--key", directory + "/cosign.key", "--identity", TrustCLITests.identity] + images)
            #expect(signed.status == 0, "\(signed.stderr)")
            #expect(Self.lines(signed.stdout, prefix: "signed sha256:").count == 2, "\(signed.stdout)")
            #expect(Self.lines(signed.stdout, prefix: "key hint: ").count == 1, "\(signed.stdout)")

            let verified = try CLIRunner.run(["verify", "--key", directory + "/cosign.pub", "--identity", TrustCLITests.identity] + images)
            #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
            for image in images { #expect(verified.stdout.contains("\(image)@sha256:"), "\(verified.stdout)") }
            #expect(Self.lines(verified.stdout, prefix: "verified: 2 valid signatures of 2").count == 2, "\(verified.stdout)")

            // JSON: one report per image, in order.
            let json = try CLIRunner.run(["verify", "--key", directory + "/cosign.pub", "--ignore-identity", "--format", "json"] + images)
            #expect(json.status == 0, "\(json.stderr)")
            let reports = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]]
            #expect(reports?.count == 2 && reports?.allSatisfy { $0["verified"] as? Bool == true } == true, "\(json.stdout)")

            // attest takes several images the same way.
            try Data(#"{"result":"pass"}"#.utf8).write(to: URL(fileURLWithPath: directory + "/result.json"))
            let attested = try CLIRunner.run(
                ["attest", "--key", directory + "/cosign.key", "--type", "https://example.com/test/v1", "--predicate", directory + "/result.json",
                 "--identity", TrustCLITests.identity] + images,
                environment: ["COSIGN_PASSWORD": TrustCLITests.password])
            #expect(attested.status == 0, "\(attested.stderr)")
            #expect(Self.lines(attested.stdout, prefix: "attested sha256:").count == 2, "\(attested.stdout)")
        }
    }

    @Test func signStopsAtTheFirstMissingImage() throws {
        try Self.withTwoImages { directory in
            let first = directory + "/app:v1"
            let missing = directory + "/app:missing"
            let signed = try TrustCLITests.sign(["--key", directory + "/cosign.key", "--identity", TrustCLITests.identity, first, missing])
            #expect(signed.status != 0)
            #expect(Self.lines(signed.stdout, prefix: "signed sha256:").count == 1, "\(signed.stdout)")
            let errors = Self.lines(signed.stderr, prefix: "error: ")
            #expect(errors.count == 1 && errors.first?.hasPrefix("error: \(missing): ") == true, "\(signed.stderr)")
            // The first image stays signed.
            let key = directory + "/cosign.pub"
            #expect(try CLIRunner.run(["verify", "--key", key, "--identity", TrustCLITests.identity, first]).status == 0)

            // verify reports every image: v1 verified, v2 (unsigned) failed with an error line naming it; exit 4.
            let unsigned = directory + "/app:v2"
            let verified = try CLIRunner.run(["verify", "--key", key, "--identity", TrustCLITests.identity, first, unsigned])
            #expect(verified.status == 4, "\(verified.stdout)\(verified.stderr)")
            #expect(verified.stdout.contains("verified: 2 valid signatures of 2"), "\(verified.stdout)")
            #expect(verified.stdout.contains("\(unsigned)@sha256:"), "\(verified.stdout)")
            let failures = Self.lines(verified.stderr, prefix: "error: ")
            #expect(failures.count == 1 && failures.first?.hasPrefix("error: \(unsigned): ") == true, "\(verified.stderr)")
            // The order does not matter: a failure first, the signed image still verified after it.
            let reversed = try CLIRunner.run(["verify", "--key", key, "--identity", TrustCLITests.identity, unsigned, first])
            #expect(reversed.status == 4)
            #expect(reversed.stdout.contains("verified: 2 valid signatures of 2"), "\(reversed.stdout)")
        }
    }
}
