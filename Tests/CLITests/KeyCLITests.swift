// SPDX-License-Identifier: Apache-2.0
import Foundation
import OCICrypto
import Testing

@testable import ocitool

/// `ocitool key generate` as a user runs it: the files, their modes, the password sources, no overwriting.
@Suite struct KeyCLITests {
    static let password = "generated in a test"

    /// Runs `ocitool key generate ARGUMENTS` with COSIGN_PASSWORD set (unless nil).
    func generate(_ arguments: [String], password: String? = KeyCLITests.password, stdin: FileHandle? = nil) throws
        -> CLIRunner.Result
    {
        try CLIRunner.run(
            ["key", "generate"] + arguments, stdin: stdin,
            environment: password.map { ["COSIGN_PASSWORD": $0] } ?? [:])
    }

    func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? -1
    }

    @Test func writesAnEncryptedKeyAndItsPublicKey() throws {
        let directory = CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let prefix = directory + "/release"
        let result = try generate(["--output-prefix", prefix])
        #expect(result.status == 0, "\(result.stderr)")
        let keyPEM = try String(contentsOfFile: prefix + ".key", encoding: .utf8)
        let publicPEM = try String(contentsOfFile: prefix + ".pub", encoding: .utf8)
        #expect(keyPEM.hasPrefix("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n"))
        #expect(publicPEM.hasPrefix("-----BEGIN PUBLIC KEY-----\n"))
        #expect(try mode(prefix + ".key") == 0o600)
        let key = try PrivateKey(pem: keyPEM, password: Array(Self.password.utf8))
        #expect(key.algorithm == .ecdsaP256)
        #expect(key.publicKey == (try PublicKey(pem: publicPEM)))
        #expect(result.stdout.contains("key hint: \(key.publicKey.hint)"), "\(result.stdout)")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        #expect(files == ["release.key", "release.pub"])
    }

    @Test func refusesToOverwriteUnlessForced() throws {
        let directory = CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let prefix = directory + "/cosign"
        try #require(try generate(["--output-prefix", prefix]).status == 0)
        let before = try String(contentsOfFile: prefix + ".key", encoding: .utf8)

        let refused = try generate(["--output-prefix", prefix])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("error: \(prefix).key exists"), "\(refused.stderr)")
        #expect(refused.stderr.contains("--force"))
        #expect(try String(contentsOfFile: prefix + ".key", encoding: .utf8) == before)

        // Only the .pub there: still refused, and no .key is left behind.
        try FileManager.default.removeItem(atPath: prefix + ".key")
        #expect(try generate(["--output-prefix", prefix]).status == 1)
        #expect(!FileManager.default.fileExists(atPath: prefix + ".key"))

        let forced = try generate(["--output-prefix", prefix, "--force"])
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(try String(contentsOfFile: prefix + ".key", encoding: .utf8) != before)
        #expect(try mode(prefix + ".key") == 0o600)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).sorted() == ["cosign.key", "cosign.pub"])
    }

    @Test func readsThePasswordFromStandardInput() throws {
        let directory = CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let input = directory + "/password"
        try "from stdin\nignored\n".write(toFile: input, atomically: true, encoding: .utf8)
        let prefix = directory + "/k"
        let result = try generate(
            ["--output-prefix", prefix, "--password-stdin"], password: "not this one",
            stdin: try FileHandle(forReadingFrom: URL(fileURLWithPath: input)))
        #expect(result.status == 0, "\(result.stderr)")
        let pem = try String(contentsOfFile: prefix + ".key", encoding: .utf8)
        #expect(throws: Never.self) { try PrivateKey(pem: pem, password: Array("from stdin".utf8)) }
        #expect(throws: OCICryptoError.wrongPassword) { try PrivateKey(pem: pem, password: Array("not this one".utf8)) }
    }

    @Test func withoutAnyPasswordSourceItIsAUsageError() throws {
        let directory = CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let result = try generate(["--output-prefix", directory + "/k"], password: nil)
        #expect(result.status == 2)
        #expect(result.stderr.contains("COSIGN_PASSWORD"), "\(result.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).isEmpty)
    }

    @Test func helpHasExamples() throws {
        let result = try CLIRunner.run(["key", "generate", "--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("ocitool key generate --output-prefix release"))
        // Examples stay whole in an 80-column terminal.
        #expect(result.stdout.contains("\n  echo \"$PW\" | ocitool key generate --password-stdin --output-prefix ci/signing\n"))
        #expect(result.stdout.contains("--password-stdin"))
    }

    /// Verification failures exit 4; every other key error 1, with a hint where one helps.
    @Test func cryptoErrorsMapToExitCodes() {
        #expect(ErrorReport(OCICryptoError.badSignature).exitCode == 4)
        #expect(ErrorReport(OCICryptoError.wrongPassword).exitCode == 1)
        #expect(ErrorReport(OCICryptoError.wrongPassword).hint != nil)
        #expect(ErrorReport(OCICryptoError.unsupportedKDF("x")).exitCode == 1)
        #expect(ErrorReport(OCICryptoError.invalidPEM("x")).exitCode == 1)
    }
}
