// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing

@testable import OCICrypto

@Suite("Crypto: keys")
struct KeyTests {
    static let generated: [KeyAlgorithm] = [.ecdsaP256, .ecdsaP384, .ed25519, .rsa(bits: 2048)]

    @Test(arguments: generated)
    func generatedKeysRoundTripThroughPKCS8AndSPKI(_ algorithm: KeyAlgorithm) throws {
        let key = try PrivateKey.generate(algorithm)
        #expect(key.algorithm == algorithm)
        let reread = try PrivateKey(pem: try key.pkcs8PEM())
        #expect(reread.algorithm == algorithm)
        #expect(reread.publicKey == key.publicKey)
        #expect(try reread.pkcs8DER() == key.pkcs8DER())
        let publicKey = try PublicKey(pem: key.publicKey.pem)
        #expect(publicKey == key.publicKey)
        #expect(publicKey.algorithm == algorithm)
        #expect(key.publicKey.pem.hasPrefix("-----BEGIN PUBLIC KEY-----\n"))
    }

    @Test func readsSEC1AndItsPublicKey() throws {
        let key = try PrivateKey(pem: Fixtures.sec1PrivateKey)
        #expect(key.algorithm == .ecdsaP256)
        #expect(key.publicKey == (try PublicKey(pem: Fixtures.sec1PublicKey)))
    }

    @Test func readsPKCS1PrivateAndPublicKeys() throws {
        let key = try PrivateKey(pem: Fixtures.pkcs1PrivateKey)
        #expect(key.algorithm == .rsa(bits: 2048))
        let pkcs1 = try PublicKey(pem: Fixtures.pkcs1PublicKey)
        #expect(pkcs1 == key.publicKey)
        #expect(pkcs1 == (try PublicKey(pem: Fixtures.rsaSPKIPublicKey)))
        // Written back as SubjectPublicKeyInfo, byte for byte what openssl writes.
        #expect(pkcs1.pem == Fixtures.rsaSPKIPublicKey + "\n")
    }

    /// The hint is base64(SHA-256(DER SubjectPublicKeyInfo)), as cosign computes it.
    @Test func hintIsBase64OfSHA256OfSPKI() throws {
        let key = try PublicKey(pem: Fixtures.sec1PublicKey)
        #expect(key.hint == Fixtures.sec1PublicKeyHint)
        #expect(key.hint == (try PrivateKey(pem: Fixtures.sec1PrivateKey)).publicKey.hint)
    }

    @Test func unsupportedCurveIsRejected() {
        #expect(throws: OCICryptoError.unsupportedKeyType("ECDSA on secp256k1 (only P-256 and P-384)")) {
            try PrivateKey(pem: Fixtures.secp256k1PrivateKey)
        }
    }

    @Test func smallRSAIsRejected() {
        #expect(throws: OCICryptoError.unsupportedKeyType("RSA keys under 2048 bits")) {
            try PrivateKey.generate(.rsa(bits: 1024))
        }
    }

    @Test func publicKeyPEMIsNotAPrivateKey() {
        #expect(throws: OCICryptoError.self) { try PrivateKey(pem: Fixtures.sec1PublicKey) }
        do {
            _ = try PrivateKey(pem: Fixtures.sec1PublicKey)
        } catch let error as OCICryptoError {
            guard case .unexpectedPEMType(let found, _) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(found == "PUBLIC KEY")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func privateKeyPEMIsNotAPublicKey() {
        #expect(throws: OCICryptoError.self) { try PublicKey(pem: Fixtures.sec1PrivateKey) }
    }

    /// A PEM label that does not match its DER (SEC1 bytes under `RSA PRIVATE KEY`) is an invalid key.
    @Test func labelThatDoesNotMatchTheDERIsRejected() throws {
        let sec1 = try PEMBlock(parsing: Fixtures.sec1PrivateKey)
        let mislabeled = PEMBlock(type: "RSA PRIVATE KEY", bytes: sec1.bytes).encoded
        #expect(throws: OCICryptoError.self) { try PrivateKey(pem: mislabeled) }
    }

    @Test func sec1UnderAPKCS8LabelIsRejected() throws {
        let sec1 = try PEMBlock(parsing: Fixtures.sec1PrivateKey).bytes
        #expect(throws: OCICryptoError.self) { try PrivateKey(pkcs8DER: sec1) }
        #expect(throws: OCICryptoError.self) {
            try PrivateKey(pem: PEMBlock(type: "PRIVATE KEY", bytes: sec1).encoded)
        }
    }

    @Test func trailingBytesAfterTheKeyAreRejected() throws {
        let spki = try PEMBlock(parsing: Fixtures.sec1PublicKey).bytes
        #expect(throws: OCICryptoError.invalidKey("a DER SubjectPublicKeyInfo public key followed by 2 other bytes")) {
            try PublicKey(spkiDER: spki + [0, 0])
        }
    }

    @Test func corruptDERIsAnInvalidKey() throws {
        var bytes = try PEMBlock(parsing: Fixtures.sec1PublicKey).bytes
        bytes.removeLast(10)
        do {
            _ = try PublicKey(spkiDER: bytes)
            Issue.record("a truncated SubjectPublicKeyInfo was read")
        } catch let error as OCICryptoError {
            guard case .invalidKey = error else {
                Issue.record("unexpected \(error)")
                return
            }
        }
    }

    @Test func encryptedKeyWithoutPasswordAsksForOne() throws {
        let sealed = try EncryptedPrivateKey.seal(try PrivateKey.generate(), password: Array("pw".utf8))
        #expect(throws: OCICryptoError.passwordRequired) { try PrivateKey(pem: sealed) }
    }
}
