// SPDX-License-Identifier: Apache-2.0
import Foundation

/// A public key (ECDSA P-256/P-384, Ed25519 or RSA) that verifies signatures.
public struct PublicKey: Hashable, Sendable {
    let key: EVPKey
    /// The kind of key.
    public let algorithm: KeyAlgorithm
    /// The DER `SubjectPublicKeyInfo`: the key's identity (equality and `hint` are over these bytes).
    public let spkiDER: [UInt8]

    init(key: EVPKey) throws {
        self.key = key
        algorithm = try key.algorithm()
        spkiDER = try key.spkiDER()
    }

    /// A public key from DER `SubjectPublicKeyInfo`.
    /// - Throws: `OCICryptoError.invalidKey`, or `.unsupportedKeyType`.
    public init(spkiDER: [UInt8]) throws {
        try self.init(key: EVPKey.decode(spkiDER, as: .spki))
    }

    /// A public key from PEM: `PUBLIC KEY` (SubjectPublicKeyInfo) or `RSA PUBLIC KEY` (PKCS#1).
    /// - Throws: `OCICryptoError.invalidPEM`, `.unexpectedPEMType`, `.invalidKey` or `.unsupportedKeyType`.
    public init(pem: String) throws {
        let block = try PEMBlock(parsing: pem)
        switch block.type {
        case PEMBlock.publicKeyType: try self.init(key: EVPKey.decode(block.bytes, as: .spki))
        case PEMBlock.rsaPublicKeyType: try self.init(key: EVPKey.decode(block.bytes, as: .pkcs1Public))
        default:
            throw OCICryptoError.unexpectedPEMType(
                found: block.type, expected: [PEMBlock.publicKeyType, PEMBlock.rsaPublicKeyType])
        }
    }

    /// The key as a `PUBLIC KEY` PEM block (what cosign writes to `cosign.pub`).
    public var pem: String { PEMBlock(type: PEMBlock.publicKeyType, bytes: spkiDER).encoded }

    /// The key hint cosign puts in a bundle's `verificationMaterial.publicKey.hint`: base64 (standard, padded)
    /// of the SHA-256 of the DER SubjectPublicKeyInfo (cosign `internal/key/svkeypair.go`).
    public var hint: String { Data(sha256(spkiDER)).base64EncodedString() }

    /// Checks a signature.
    /// - Parameters:
    ///   - signature: the signature bytes (DER for ECDSA).
    ///   - message: the bytes that were signed (hashed here, by the algorithm's hash).
    ///   - algorithm: how it was made; the key kind's default (`KeyAlgorithm.defaultSignatureAlgorithm`) if nil.
    /// - Throws: `OCICryptoError.badSignature` when it does not verify, `.algorithmMismatch` when `algorithm` does
    ///   not fit the key.
    public func verify(_ signature: [UInt8], over message: [UInt8], algorithm: SignatureAlgorithm? = nil) throws {
        guard try isValidSignature(signature, over: message, algorithm: algorithm) else {
            throw OCICryptoError.badSignature
        }
    }

    /// Whether a signature verifies; see `verify(_:over:algorithm:)`.
    /// - Throws: `OCICryptoError.algorithmMismatch` when `algorithm` does not fit the key.
    public func isValidSignature(_ signature: [UInt8], over message: [UInt8], algorithm: SignatureAlgorithm? = nil)
        throws -> Bool
    {
        let algorithm = algorithm ?? self.algorithm.defaultSignatureAlgorithm
        guard algorithm.fits(self.algorithm) else {
            throw OCICryptoError.algorithmMismatch(key: self.algorithm, algorithm: algorithm)
        }
        return try key.verify(signature, over: message, algorithm: algorithm)
    }

    public static func == (left: PublicKey, right: PublicKey) -> Bool { left.spkiDER == right.spkiDER }

    public func hash(into hasher: inout Hasher) { hasher.combine(spkiDER) }
}
