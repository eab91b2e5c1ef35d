// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing
import TestSupport

/// sign, verify, attest and verify-attestation as users run them: on a layout, an OCI archive read in place and
/// a registry (`ocitool serve`), with cosign-format keys from `ocitool key generate`.
@Suite("CLI: sign and verify")
struct TrustCLITests {
    static let password = "correct horse"
    static let identity = "registry.example/team/app"

    /// A directory with the layout `DIR/app` holding `app:v1` and a key pair `DIR/cosign.key`, `DIR/cosign.pub`.
    static func withSignedSetup(_ body: (String) throws -> Void) throws {
        try FirstHourCLITests.withImported { directory in
            try generateKey(directory + "/cosign")
            try body(directory)
        }
    }

    static func generateKey(_ prefix: String) throws {
        let result = try CLIRunner.run(
            ["key", "generate", "--output-prefix", prefix], environment: ["COSIGN_PASSWORD": password])
        #expect(result.status == 0, "\(result.stderr)")
    }

    static func sign(_ arguments: [String], password: String = password) throws -> CLIRunner.Result {
        try CLIRunner.run(["sign"] + arguments, environment: ["COSIGN_PASSWORD": password])
    }

    @Test func signAndVerifyALayout() throws {
        try Self.withSignedSetup { directory in
            let image = directory + "/app:v1"
            let signed = try Self.sign(["--key", directory + "/cosign.key", "--identity", Self.identity, image])
            #expect(signed.status == 0, "\(signed.stderr)")
            #expect(signed.stdout.contains("signed sha256:"), "\(signed.stdout)")
            #expect(signed.stdout.contains("legacy sha256-"), "\(signed.stdout)")
            #expect(signed.stdout.contains("bundle referrer"), "\(signed.stdout)")

            let verified = try CLIRunner.run(["verify", "--key", directory + "/cosign.pub", "--identity", Self.identity, image])
            #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
            #expect(verified.stdout.hasSuffix("verified: 2 valid signatures of 2\n"), "\(verified.stdout)")

            // JSON for scripts.
            let json = try CLIRunner.run(["verify", "--key", directory + "/cosign.pub", "--ignore-identity", "--format", "json", image])
            let report = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
            #expect(report?["verified"] as? Bool == true)
            #expect((report?["candidates"] as? [[String: Any]])?.compactMap { $0["kind"] as? String } == ["legacy", "bundle"])

            // Another repository: 4, every candidate's reason on stdout, one error line on stderr.
            let other = try CLIRunner.run(["verify", "--key", directory + "/cosign.pub", "--identity", "other.example/app", image])
            #expect(other.status == 4)
            #expect(other.stdout.components(separatedBy: "FAIL").count == 3, "\(other.stdout)")
            #expect(other.stdout.contains("other-identity"), "\(other.stdout)")
            #expect(other.stderr.split(separator: "\n").filter { $0.hasPrefix("error: ") }.count == 1, "\(other.stderr)")

            // Another key: 4.
            try Self.generateKey(directory + "/other")
            let wrongKey = try CLIRunner.run(["verify", "--key", directory + "/other.pub", "--identity", Self.identity, image])
            #expect(wrongKey.status == 4)
            #expect(wrongKey.stdout.contains("wrong-key"), "\(wrongKey.stdout)")
            // Any of several keys: a list, or a directory of them.
            let keys = directory + "/keys"
            try FileManager.default.createDirectory(atPath: keys, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: directory + "/other.pub", toPath: keys + "/a.pub")
            try FileManager.default.copyItem(atPath: directory + "/cosign.pub", toPath: keys + "/b.pub")
            for key in [directory + "/other.pub," + directory + "/cosign.pub", keys] {
                let anyOf = try CLIRunner.run(["verify", "--key", key, "--identity", Self.identity, image])
                #expect(anyOf.status == 0, "\(key): \(anyOf.stdout)\(anyOf.stderr)")
            }
            // A layout names no repository: say how to choose.
            let noIdentity = try CLIRunner.run(["verify", "--key", directory + "/cosign.pub", image])
            #expect(noIdentity.status == 2)
            #expect(noIdentity.stderr.contains("--ignore-identity"), "\(noIdentity.stderr)")
        }
    }

    @Test func wrongPasswordWritesNothing() throws {
        try Self.withSignedSetup { directory in
            let index = try Data(contentsOf: URL(fileURLWithPath: directory + "/app/index.json"))
            let result = try Self.sign(["--key", directory + "/cosign.key", "--identity", Self.identity, directory + "/app:v1"], password: "wrong")
            #expect(result.status == 1)
            #expect(result.stderr.hasPrefix("error: wrong password"), "\(result.stderr)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: directory + "/app/index.json")) == index)
            // A public key is no signing key; a truncated one no key at all.
            let publicKey = try Self.sign(["--key", directory + "/cosign.pub", "--identity", Self.identity, directory + "/app:v1"])
            #expect(publicKey.status == 1)
            let pem = try String(contentsOfFile: directory + "/cosign.key", encoding: .utf8)
            try String(pem.prefix(pem.count / 2)).write(toFile: directory + "/cut.key", atomically: true, encoding: .utf8)
            let truncated = try Self.sign(["--key", directory + "/cut.key", "--identity", Self.identity, directory + "/app:v1"])
            #expect(truncated.status == 1)
            #expect(truncated.stderr.hasPrefix("error: invalid PEM"), "\(truncated.stderr)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: directory + "/app/index.json")) == index)
        }
    }

    /// Signed in a layout, copied into an OCI archive (signatures ride along), verified in the archive in place.
    @Test func verifyAnOCIArchiveInPlace() throws {
        try Self.withSignedSetup { directory in
            #expect(try Self.sign(["--key", directory + "/cosign.key", "--identity", Self.identity, directory + "/app:v1"]).status == 0)
            let archive = "oci-archive:" + directory + "/bundle.tar:v1"
            let copied = try CLIRunner.run(["copy", directory + "/app:v1", archive])
            #expect(copied.status == 0, "\(copied.stderr)")
            let verified = try CLIRunner.run(["verify", "--key", directory + "/cosign.pub", "--identity", Self.identity, archive])
            #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
            #expect(verified.stdout.contains("legacy") && verified.stdout.contains("bundle"), "\(verified.stdout)")
            // An archive is written whole: signing one is refused, with the kinds that work.
            let refused = try Self.sign(["--key", directory + "/cosign.key", "--identity", Self.identity, archive])
            #expect(refused.status == 2)
            #expect(refused.stderr.contains("sign works on a layout"), "\(refused.stderr)")
        }
    }

    /// Pushed to `ocitool serve`, signed there (the identity is the registry's repository), verified there.
    @Test func signAndVerifyInARegistry() throws {
        try Self.withSignedSetup { directory in
            let (server, url) = try CLIRunner.startServer(root: directory + "/store")
            defer { server.terminate() }
            let remote = "docker://\(EveryReferenceCLITests.host(url))/team/app"
            #expect(try CLIRunner.run(["copy", directory + "/app:v1", remote + ":v1"]).status == 0)
            let signed = try Self.sign(["--key", directory + "/cosign.key", remote + ":v1"])
            #expect(signed.status == 0, "\(signed.stderr)")
            #expect(signed.stdout.contains("as \(EveryReferenceCLITests.host(url))/team/app"), "\(signed.stdout)")
            let verified = try CLIRunner.run(["verify", "--key", directory + "/cosign.pub", remote + ":v1"])
            #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
            #expect(verified.stdout.hasSuffix("verified: 2 valid signatures of 2\n"), "\(verified.stdout)")
            // Copied to another repository, the signatures come along but name the first one.
            let moved = "docker://\(EveryReferenceCLITests.host(url))/team/copy"
            #expect(try CLIRunner.run(["copy", remote + ":v1", moved + ":v1"]).status == 0)
            let elsewhere = try CLIRunner.run(["verify", "--key", directory + "/cosign.pub", moved + ":v1"])
            #expect(elsewhere.status == 4, "\(elsewhere.stdout)")
            #expect(elsewhere.stdout.contains("other-identity"), "\(elsewhere.stdout)")
            let accepted = try CLIRunner.run(
                ["verify", "--key", directory + "/cosign.pub", "--identity", "\(EveryReferenceCLITests.host(url))/team/app", moved + ":v1"])
            #expect(accepted.status == 0, "\(accepted.stdout)")
        }
    }

    /// Four `ocitool sign` processes with four keys at once, into a layout (the lock) and into a registry (read
    /// back and retried): every signature lands in the one `.sig` manifest.
    @Test func concurrentSignersLoseNothing() throws {
        try Self.withSignedSetup { directory in
            let (server, url) = try CLIRunner.startServer(root: directory + "/store")
            defer { server.terminate() }
            let remote = "docker://\(EveryReferenceCLITests.host(url))/team/app:v1"
            #expect(try CLIRunner.run(["copy", directory + "/app:v1", remote]).status == 0)
            let prefixes = (0..<4).map { directory + "/signer\($0)" }
            for prefix in prefixes { try Self.generateKey(prefix) }
            for image in [directory + "/app:v1", remote] {
                let processes = try prefixes.map { prefix in
                    try CLIRunner.start(
                        ["sign", "--key", prefix + ".key", "--identity", Self.identity, "--format", "legacy", image],
                        environment: ["COSIGN_PASSWORD": Self.password])
                }
                #expect(CLIRunner.waitAll(processes) == [0, 0, 0, 0], "\(image)")
                let keys = prefixes.map { $0 + ".pub" }.joined(separator: ",")
                let verified = try CLIRunner.run(["verify", "--key", keys, "--identity", Self.identity, image])
                #expect(verified.stdout.hasSuffix("verified: 4 valid signatures of 4\n"), "\(image): \(verified.stdout)")
            }
        }
    }

    @Test func attestAndPrintThePredicate() throws {
        try Self.withSignedSetup { directory in
            let predicate = directory + "/sbom.spdx.json"
            try Data(#"{"spdxVersion":"SPDX-2.3","name":"app"}"#.utf8).write(to: URL(fileURLWithPath: predicate))
            let image = directory + "/app:v1"
            let attested = try CLIRunner.run(
                ["attest", "--key", directory + "/cosign.key", "--type", "spdx", "--predicate", predicate,
                 "--identity", Self.identity, image], environment: ["COSIGN_PASSWORD": Self.password])
            #expect(attested.status == 0, "\(attested.stderr)")
            let printed = try CLIRunner.run(
                ["verify-attestation", "--key", directory + "/cosign.pub", "--type", "spdx", "--identity", Self.identity,
                 "--output-predicate", image])
            #expect(printed.status == 0, "\(printed.stderr)")
            let lines = printed.stdout.split(separator: "\n")
            #expect(lines.count == 2)  // legacy and bundle
            for line in lines {
                let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
                #expect(object?["spdxVersion"] as? String == "SPDX-2.3")
            }
            let otherType = try CLIRunner.run(
                ["verify-attestation", "--key", directory + "/cosign.pub", "--type", "cyclonedx", "--identity", Self.identity, image])
            #expect(otherType.status == 4)
            let discovered = try CLIRunner.run(["discover", image]).stdout
            #expect(discovered.contains("https://spdx.dev/Document"), "\(discovered)")
        }
    }
}
