// SPDX-License-Identifier: Apache-2.0
import Testing

@testable import OCICrypto

@Suite("Crypto: signatures")
struct SignatureTests {
    static let message = Array(#"{"critical":{"type":"cosign container image signature"}}"#.utf8)

    static let cases: [(KeyAlgorithm, SignatureAlgorithm)] = [
        (.ecdsaP256, .ecdsa(.sha256)), (.ecdsaP384, .ecdsa(.sha384)), (.ed25519, .ed25519),
        (.rsa(bits: 2048), .rsaPKCS1v15(.sha256)), (.rsa(bits: 2048), .rsaPSS(.sha256)),
        (.rsa(bits: 2048), .rsaPSS(.sha512)),
    ]

    @Test(arguments: cases)
    func signsAndVerifies(_ keyAlgorithm: KeyAlgorithm, _ algorithm: SignatureAlgorithm) throws {
        let key = try PrivateKey.generate(keyAlgorithm)
        let signature = try key.sign(Self.message, algorithm: algorithm)
        try key.publicKey.verify(signature, over: Self.message, algorithm: algorithm)
        #expect(try key.publicKey.isValidSignature(signature, over: Self.message, algorithm: algorithm))
    }

    @Test func defaultsAreCosigns() throws {
        #expect(KeyAlgorithm.ecdsaP256.defaultSignatureAlgorithm == .ecdsa(.sha256))
        #expect(KeyAlgorithm.ecdsaP384.defaultSignatureAlgorithm == .ecdsa(.sha384))
        let key = try PrivateKey.generate()
        let signature = try key.sign(Self.message)
        try key.publicKey.verify(signature, over: Self.message, algorithm: .ecdsa(.sha256))
    }

    /// cosign's `dev.cosignproject.cosign/signature` holds an ASN.1 DER `Ecdsa-Sig-Value`: a SEQUENCE of two
    /// INTEGERs (at most 72 bytes for P-256).
    @Test func ecdsaSignaturesAreDER() throws {
        let signature = try PrivateKey.generate().sign(Self.message)
        #expect(signature.first == 0x30)
        #expect(Int(signature[1]) == signature.count - 2)
        #expect(signature[2] == 0x02)
        #expect(signature.count <= 72)
    }

    @Test func ed25519SignaturesAre64Bytes() throws {
        #expect(try PrivateKey.generate(.ed25519).sign(Self.message).count == 64)
    }

    @Test(arguments: cases)
    func signatureOverOtherBytesIsRejected(_ keyAlgorithm: KeyAlgorithm, _ algorithm: SignatureAlgorithm) throws {
        let key = try PrivateKey.generate(keyAlgorithm)
        let signature = try key.sign(Self.message, algorithm: algorithm)
        #expect(throws: OCICryptoError.badSignature) {
            try key.publicKey.verify(signature, over: Self.message + [0x0A], algorithm: algorithm)
        }
    }

    @Test(arguments: cases)
    func signatureByAnotherKeyIsRejected(_ keyAlgorithm: KeyAlgorithm, _ algorithm: SignatureAlgorithm) throws {
        let signature = try PrivateKey.generate(keyAlgorithm).sign(Self.message, algorithm: algorithm)
        let other = try PrivateKey.generate(keyAlgorithm).publicKey
        #expect(throws: OCICryptoError.badSignature) {
            try other.verify(signature, over: Self.message, algorithm: algorithm)
        }
    }

    @Test func garbageSignatureIsJustInvalid() throws {
        let key = try PrivateKey.generate()
        for garbage in [[], [0x30], [UInt8](repeating: 0xFF, count: 72)] as [[UInt8]] {
            #expect(throws: OCICryptoError.badSignature) { try key.publicKey.verify(garbage, over: Self.message) }
        }
    }

    @Test func pkcs1SignatureDoesNotPassAsPSS() throws {
        let key = try PrivateKey.generate(.rsa(bits: 2048))
        let signature = try key.sign(Self.message, algorithm: .rsaPKCS1v15(.sha256))
        #expect(throws: OCICryptoError.badSignature) {
            try key.publicKey.verify(signature, over: Self.message, algorithm: .rsaPSS(.sha256))
        }
    }

    @Test func algorithmThatDoesNotFitTheKeyIsRejected() throws {
        let key = try PrivateKey.generate()
        #expect(throws: OCICryptoError.algorithmMismatch(key: .ecdsaP256, algorithm: .ed25519)) {
            try key.sign(Self.message, algorithm: .ed25519)
        }
        #expect(throws: OCICryptoError.algorithmMismatch(key: .ecdsaP256, algorithm: .rsaPSS(.sha256))) {
            try key.publicKey.verify([0x30], over: Self.message, algorithm: .rsaPSS(.sha256))
        }
    }

    @Test func verifiesWithAKeyReadFromPEM() throws {
        let key = try PrivateKey(pem: Fixtures.sec1PrivateKey)
        let signature = try key.sign(Self.message)
        try PublicKey(pem: Fixtures.sec1PublicKey).verify(signature, over: Self.message)
        let rsa = try PrivateKey(pem: Fixtures.pkcs1PrivateKey)
        let rsaSignature = try rsa.sign(Self.message, algorithm: .rsaPSS(.sha256))
        try PublicKey(pem: Fixtures.pkcs1PublicKey).verify(
            rsaSignature, over: Self.message, algorithm: .rsaPSS(.sha256))
    }
}
