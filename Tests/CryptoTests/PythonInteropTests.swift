// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing
import TestSupport

@testable import OCICrypto

/// ocitool's keys and signatures against independent implementations: Tests/interop/crypto_interop.py does
/// cosign's key format with `hashlib.scrypt` and PyNaCl's `SecretBox`, and keys and signatures with
/// `cryptography`, in the venv scripts/install-test-deps.sh creates (.venv-test/ at the repository root).
@Suite("Crypto: Python interop")
struct PythonInteropTests {
    static let script = InteropScript("crypto_interop.py")
    static let password = "p4ss word ü"

    /// Runs the script with `arguments`; its stdout (stderr goes to the test's).
    func python(_ arguments: [String]) throws -> InteropScript.Result {
        try #require(
            InteropScript.isInstalled,
            "cryptography and PyNaCl are not installed: run scripts/install-test-deps.sh (it creates .venv-test/)")
        return try Self.script.run(arguments)
    }

    func scratch() throws -> URL {
        let directory = TestScratch.directory("crypto")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    @Test func keyWrittenByOCIToolDecryptsInPython() throws {
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let key = try PrivateKey.generate()
        let path = directory.appendingPathComponent("cosign.key").path
        try EncryptedPrivateKey.seal(key, password: Array(Self.password.utf8)).write(
            toFile: path, atomically: true, encoding: .utf8)
        let opened = try python(["open", path, Self.password])
        #expect(opened.status == 0, "\(opened.output)")
        #expect(opened.output == key.publicKey.pem)
        let wrong = try python(["open", path, "wrong"])
        #expect(wrong.status == 1)
    }

    @Test(arguments: [32768, 65536, 131072])
    func keyEncryptedByPythonLoads(_ n: Int) throws {
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("python.key").path
        let sealed = try python(["seal", Self.password, path, String(n)])
        try #require(sealed.status == 0)
        let pem = try String(contentsOfFile: path, encoding: .utf8)
        let key = try PrivateKey(pem: pem, password: Array(Self.password.utf8))
        #expect(key.algorithm == .ecdsaP256)
        #expect(key.publicKey == (try PublicKey(pem: sealed.output)))
        #expect(throws: OCICryptoError.wrongPassword) { try EncryptedPrivateKey.open(pem, password: Array("x".utf8)) }
    }

    /// Python's weak parameters (N=1024) are refused before any work.
    @Test func keyEncryptedByPythonWithSmallNIsRefused() throws {
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("weak.key").path
        try #require(try python(["seal", Self.password, path, "1024"]).status == 0)
        let pem = try String(contentsOfFile: path, encoding: .utf8)
        #expect(throws: OCICryptoError.self) { try EncryptedPrivateKey.open(pem, password: Array(Self.password.utf8)) }
    }

    static let kinds: [(String, SignatureAlgorithm)] = [
        ("ecdsa-p256", .ecdsa(.sha256)), ("ecdsa-p384", .ecdsa(.sha384)), ("ed25519", .ed25519),
        ("rsa-pkcs1", .rsaPKCS1v15(.sha256)), ("rsa-pss", .rsaPSS(.sha256)),
    ]

    struct Signed: Decodable {
        let publicKey: String
        let signature: String
    }

    @Test(arguments: kinds)
    func pythonSignatureVerifiesInOCITool(_ kind: String, _ algorithm: SignatureAlgorithm) throws {
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let message = Array("payload for \(kind)\n".utf8)
        let messagePath = directory.appendingPathComponent("message").path
        try Data(message).write(to: URL(fileURLWithPath: messagePath))
        let result = try python(["sign", kind, messagePath])
        try #require(result.status == 0)
        let signed = try JSONDecoder().decode(Signed.self, from: Data(result.output.utf8))
        let key = try PublicKey(pem: signed.publicKey)
        let signature = [UInt8](try #require(Data(base64Encoded: signed.signature)))
        try key.verify(signature, over: message, algorithm: algorithm)
        #expect(throws: OCICryptoError.badSignature) {
            try key.verify(signature, over: Array(message.dropLast()) + [0x21], algorithm: algorithm)
        }
    }

    @Test(arguments: kinds)
    func ocitoolSignatureVerifiesInPython(_ kind: String, _ algorithm: SignatureAlgorithm) throws {
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let keyAlgorithm: KeyAlgorithm =
            switch algorithm {
            case .ecdsa(.sha384): .ecdsaP384
            case .ecdsa: .ecdsaP256
            case .ed25519: .ed25519
            case .rsaPKCS1v15, .rsaPSS: .rsa(bits: 2048)
            }
        let key = try PrivateKey.generate(keyAlgorithm)
        let message = Array("payload for \(kind)\n".utf8)
        let messagePath = directory.appendingPathComponent("message").path
        let publicPath = directory.appendingPathComponent("key.pub").path
        try Data(message).write(to: URL(fileURLWithPath: messagePath))
        try key.publicKey.pem.write(toFile: publicPath, atomically: true, encoding: .utf8)
        let signature = Data(try key.sign(message, algorithm: algorithm)).base64EncodedString()
        let valid = try python(["verify", kind, publicPath, messagePath, signature])
        #expect(valid.status == 0, "\(valid.output)")
        let otherSignature = Data(try key.sign(message + [0x0A], algorithm: algorithm)).base64EncodedString()
        #expect(try python(["verify", kind, publicPath, messagePath, otherSignature]).status == 1)
    }
}
