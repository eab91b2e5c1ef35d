// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing

@testable import OCICrypto

/// cosign's encrypted key format: round trips, and every bad input its own test with its own error.
@Suite("Crypto: encrypted keys")
struct EncryptedKeyTests {
    static let password = Array("correct horse battery staple".utf8)

    /// One sealed key shared by the tests that modify it (scrypt costs a quarter second a run).
    static let sealed: (key: PrivateKey, pem: String) = {
        let key = try! PrivateKey.generate()
        return (key, try! EncryptedPrivateKey.seal(key, password: password))
    }()

    /// The JSON body of `sealed`.
    static var body: String { String(decoding: try! PEMBlock(parsing: sealed.pem).bytes, as: UTF8.self) }

    /// A PEM block of `type` around `json`.
    static func pem(_ json: String, type: String = EncryptedPrivateKey.pemType) -> String {
        PEMBlock(type: type, bytes: Array(json.utf8)).encoded
    }

    /// The bytes of a base64 string field of a decoded JSON object.
    static func base64Field(_ value: Any?) throws -> [UInt8] {
        let text = try #require(value as? String)
        return [UInt8](try #require(Data(base64Encoded: text)))
    }

    @Test func roundTrips() throws {
        let opened = try EncryptedPrivateKey.open(Self.sealed.pem, password: Self.password)
        #expect(opened.publicKey == Self.sealed.key.publicKey)
        #expect(try opened.pkcs8DER() == Self.sealed.key.pkcs8DER())
        #expect(try PrivateKey(pem: Self.sealed.pem, password: Self.password).publicKey == Self.sealed.key.publicKey)
    }

    @Test func writesCosignsFormat() throws {
        let block = try PEMBlock(parsing: Self.sealed.pem)
        #expect(block.type == "ENCRYPTED SIGSTORE PRIVATE KEY")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(block.bytes)) as? [String: Any])
        #expect(Set(json.keys) == ["kdf", "cipher", "ciphertext"])
        let kdf = try #require(json["kdf"] as? [String: Any])
        #expect(kdf["name"] as? String == "scrypt")
        let params = try #require(kdf["params"] as? [String: Int])
        #expect(params == ["N": 65536, "r": 8, "p": 1])
        #expect(try Self.base64Field(kdf["salt"]).count == 32)
        let cipher = try #require(json["cipher"] as? [String: Any])
        #expect(cipher["name"] as? String == "nacl/secretbox")
        #expect(try Self.base64Field(cipher["nonce"]).count == 24)
        let ciphertext = try Self.base64Field(json["ciphertext"])
        #expect(ciphertext.count == (try Self.sealed.key.pkcs8DER()).count + 16)
        let text = String(decoding: block.bytes, as: UTF8.self)
        #expect(text.hasPrefix(#"{"kdf":{"name":"scrypt","params":{"N":65536,"r":8,"p":1},"salt":""#))
    }

    @Test func emptyPasswordRoundTrips() throws {
        let key = try PrivateKey.generate(.ed25519)
        let sealed = try EncryptedPrivateKey.seal(key, password: [])
        #expect(try EncryptedPrivateKey.open(sealed, password: []).publicKey == key.publicKey)
    }

    @Test func readsTheOlderCosignPEMType() throws {
        let legacy = Self.pem(Self.body, type: "ENCRYPTED COSIGN PRIVATE KEY")
        #expect(try EncryptedPrivateKey.open(legacy, password: Self.password).publicKey == Self.sealed.key.publicKey)
    }

    @Test(arguments: [ScryptParameters.legacy, .owasp])
    func readsTheOtherAllowedParameters(_ parameters: ScryptParameters) throws {
        let key = try PrivateKey.generate()
        let sealed = try EncryptedPrivateKey.seal(key, password: Self.password, parameters: parameters)
        #expect(try EncryptedPrivateKey.open(sealed, password: Self.password).publicKey == key.publicKey)
    }

    @Test func wrongPasswordIsOneClearError() {
        #expect(throws: OCICryptoError.wrongPassword) {
            try EncryptedPrivateKey.open(Self.sealed.pem, password: Array("Correct horse battery staple".utf8))
        }
        #expect(OCICryptoError.wrongPassword.description.hasPrefix("wrong password"))
    }

    @Test func tamperedCiphertextIsRejected() throws {
        let json = try #require(try JSONSerialization.jsonObject(with: Data(Self.body.utf8)) as? [String: Any])
        var ciphertext = try Self.base64Field(json["ciphertext"])
        ciphertext[ciphertext.count / 2] ^= 0x01
        let tampered = Self.body.replacingOccurrences(
            of: json["ciphertext"] as! String, with: Data(ciphertext).base64EncodedString())
        #expect(throws: OCICryptoError.wrongPassword) {
            try EncryptedPrivateKey.open(Self.pem(tampered), password: Self.password)
        }
    }

    /// Each parameter set outside cosign's three is its own case: a small N, another r, another p.
    static let disallowed: [(field: String, replacement: String, parameters: String)] = [
        (#""N":65536"#, #""N":1024"#, "N=1024, r=8, p=1"),
        (#""r":8"#, #""r":16"#, "N=65536, r=16, p=1"),
        (#""p":1"#, #""p":2"#, "N=65536, r=8, p=2"),
    ]

    @Test(arguments: disallowed)
    func otherScryptParametersAreRejected(_ field: String, _ replacement: String, _ parameters: String) {
        let other = Self.body.replacingOccurrences(of: field, with: replacement)
        let allowed = "N=32768, r=8, p=1; N=65536, r=8, p=1; N=131072, r=8, p=1"
        #expect(throws: OCICryptoError.unsupportedKDF("scrypt \(parameters) (allowed: \(allowed))")) {
            try EncryptedPrivateKey.open(Self.pem(other), password: Self.password)
        }
    }

    /// N=2^30 with r=8 would need 1 TiB and hours: the rejection comes before scrypt runs, so it is immediate.
    @Test func hugeNIsRejectedBeforeScryptRuns() {
        let huge = Self.body.replacingOccurrences(of: #""N":65536"#, with: #""N":1073741824"#)
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            #expect(throws: OCICryptoError.self) {
                try EncryptedPrivateKey.open(Self.pem(huge), password: Self.password)
            }
        }
        #expect(elapsed < .seconds(1))
        #expect(throws: OCICryptoError.self) {
            try ScryptParameters(n: 1 << 30, r: 8, p: 1).derive(password: [], salt: [])
        }
    }

    @Test func otherKDFIsRejected() {
        let other = Self.body.replacingOccurrences(of: #""name":"scrypt""#, with: #""name":"pbkdf2""#)
        #expect(throws: OCICryptoError.unsupportedKDF("'pbkdf2' (only scrypt)")) {
            try EncryptedPrivateKey.open(Self.pem(other), password: Self.password)
        }
    }

    @Test func otherCipherIsRejected() {
        let other = Self.body.replacingOccurrences(of: #""name":"nacl/secretbox""#, with: #""name":"aes-gcm""#)
        #expect(throws: OCICryptoError.unsupportedCipher("aes-gcm")) {
            try EncryptedPrivateKey.open(Self.pem(other), password: Self.password)
        }
    }

    @Test func shortSaltIsRejected() throws {
        let json = try #require(try JSONSerialization.jsonObject(with: Data(Self.body.utf8)) as? [String: Any])
        let salt = try #require((json["kdf"] as? [String: Any])?["salt"] as? String)
        let short = Self.body.replacingOccurrences(of: salt, with: Data(count: 16).base64EncodedString())
        #expect(throws: OCICryptoError.invalidEncryptedKey("the salt is 16 bytes, not 32")) {
            try EncryptedPrivateKey.open(Self.pem(short), password: Self.password)
        }
    }

    @Test func badBase64NonceIsRejected() throws {
        let json = try #require(try JSONSerialization.jsonObject(with: Data(Self.body.utf8)) as? [String: Any])
        let nonce = try #require((json["cipher"] as? [String: Any])?["nonce"] as? String)
        let bad = Self.body.replacingOccurrences(of: nonce, with: "!!not base64!!")
        #expect(throws: OCICryptoError.invalidEncryptedKey("cipher.nonce is not valid base64")) {
            try EncryptedPrivateKey.open(Self.pem(bad), password: Self.password)
        }
    }

    @Test func missingFieldIsRejected() {
        let missing = #"{"kdf":{"name":"scrypt","params":{"N":65536,"r":8,"p":1},"salt":"AA=="},"ciphertext":"AA=="}"#
        #expect(throws: OCICryptoError.invalidEncryptedKey("missing field 'cipher'")) {
            try EncryptedPrivateKey.open(Self.pem(missing), password: Self.password)
        }
    }

    @Test func bodyThatIsNotJSONIsRejected() {
        #expect(throws: OCICryptoError.invalidEncryptedKey("the body is not JSON")) {
            try EncryptedPrivateKey.open(Self.pem("not json"), password: Self.password)
        }
    }

    @Test func truncatedEncryptedPEMIsRejected() {
        let truncated = String(Self.sealed.pem.prefix(Self.sealed.pem.count - 40))
        do {
            _ = try EncryptedPrivateKey.open(truncated, password: Self.password)
            Issue.record("a truncated key was read")
        } catch let error as OCICryptoError {
            guard case .invalidPEM = error else {
                Issue.record("unexpected \(error)")
                return
            }
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    /// cosign's own test data has a key whose plaintext is SEC1 rather than PKCS#8, and cosign refuses it
    /// (pkg/cosign/keys_test.go, TestReadingPrivatePemTypes): so does ocitool.
    @Test func plaintextThatIsNotPKCS8IsRefused() throws {
        let sec1 = try PEMBlock(parsing: Fixtures.sec1PrivateKey).bytes
        let sealed = try EncryptedPrivateKey.seal(plaintext: sec1, password: Self.password, parameters: .standard)
        do {
            _ = try EncryptedPrivateKey.open(sealed, password: Self.password)
            Issue.record("a SEC1 plaintext was read as PKCS#8")
        } catch let error as OCICryptoError {
            guard case .invalidKey(let reason) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(reason.hasPrefix("not a DER PKCS#8 private key"), "\(reason)")
        }
    }

    @Test func unencryptedKeyIsNotAnEncryptedOne() throws {
        #expect(throws: OCICryptoError.self) {
            try EncryptedPrivateKey.open(Fixtures.sec1PrivateKey, password: Self.password)
        }
    }
}
