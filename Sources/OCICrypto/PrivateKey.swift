// SPDX-License-Identifier: Apache-2.0

/// A private key (ECDSA P-256/P-384, Ed25519 or RSA) that signs.
public struct PrivateKey: Sendable {
    let key: EVPKey
    /// The kind of key.
    public let algorithm: KeyAlgorithm
    /// The public half.
    public let publicKey: PublicKey

    init(key: EVPKey) throws {
        self.key = key
        algorithm = try key.algorithm()
        publicKey = try PublicKey(spkiDER: key.spkiDER())
    }

    /// A new random key.
    /// - Parameter algorithm: the kind of key (cosign's default, ECDSA P-256, if omitted).
    /// - Throws: `OCICryptoError.unsupportedKeyType` for RSA under 2048 bits.
    public static func generate(_ algorithm: KeyAlgorithm = .ecdsaP256) throws -> PrivateKey {
        try PrivateKey(key: EVPKey.generate(algorithm))
    }

    /// A private key from DER PKCS#8 `PrivateKeyInfo` (unencrypted).
    /// - Throws: `OCICryptoError.invalidKey` or `.unsupportedKeyType`.
    public init(pkcs8DER: [UInt8]) throws {
        try self.init(key: EVPKey.decode(pkcs8DER, as: .pkcs8))
    }

    /// A private key from unencrypted PEM: `PRIVATE KEY` (PKCS#8), `EC PRIVATE KEY` (SEC1) or `RSA PRIVATE KEY`
    /// (PKCS#1).
    /// - Throws: `OCICryptoError.invalidPEM`, `.unexpectedPEMType` (`.passwordRequired` for an encrypted cosign
    ///   key), `.invalidKey` or `.unsupportedKeyType`.
    public init(pem: String) throws {
        try self.init(pem: pem, password: nil)
    }

    /// A private key from PEM, encrypted in cosign's format (`ENCRYPTED SIGSTORE PRIVATE KEY` or
    /// `ENCRYPTED COSIGN PRIVATE KEY`, see `EncryptedPrivateKey`) or unencrypted (as `init(pem:)`).
    /// - Parameters:
    ///   - pem: the PEM text.
    ///   - password: the password of an encrypted key; ignored for an unencrypted one.
    /// - Throws: as `init(pem:)` and `EncryptedPrivateKey.open(_:password:)`; `.passwordRequired` for an encrypted
    ///   key without a password.
    public init(pem: String, password: [UInt8]?) throws {
        let block = try PEMBlock(parsing: pem)
        switch block.type {
        case PEMBlock.privateKeyType: try self.init(key: EVPKey.decode(block.bytes, as: .pkcs8))
        case PEMBlock.ecPrivateKeyType: try self.init(key: EVPKey.decode(block.bytes, as: .sec1))
        case PEMBlock.rsaPrivateKeyType: try self.init(key: EVPKey.decode(block.bytes, as: .pkcs1Private))
        case _ where EncryptedPrivateKey.pemTypes.contains(block.type):
            guard let password else { throw OCICryptoError.passwordRequired }
            self = try EncryptedPrivateKey.open(block, password: password)
        default:
            throw OCICryptoError.unexpectedPEMType(
                found: block.type,
                expected: [PEMBlock.privateKeyType, PEMBlock.ecPrivateKeyType, PEMBlock.rsaPrivateKeyType]
                    + EncryptedPrivateKey.pemTypes)
        }
    }

    /// The key as unencrypted DER PKCS#8 `PrivateKeyInfo` (the plaintext of cosign's encrypted format).
    public func pkcs8DER() throws -> [UInt8] { try key.pkcs8DER() }

    /// The key as an unencrypted `PRIVATE KEY` (PKCS#8) PEM block.
    public func pkcs8PEM() throws -> String { PEMBlock(type: PEMBlock.privateKeyType, bytes: try pkcs8DER()).encoded }

    /// Signs `message`.
    /// - Parameters:
    ///   - message: the bytes to sign (hashed here, by the algorithm's hash).
    ///   - algorithm: how; the key kind's default (ECDSA P-256 with SHA-256, DER) if nil.
    /// - Returns: the signature (ASN.1 DER for ECDSA, 64 bytes for Ed25519).
    /// - Throws: `OCICryptoError.algorithmMismatch` when `algorithm` does not fit the key.
    public func sign(_ message: [UInt8], algorithm: SignatureAlgorithm? = nil) throws -> [UInt8] {
        let algorithm = algorithm ?? self.algorithm.defaultSignatureAlgorithm
        guard algorithm.fits(self.algorithm) else {
            throw OCICryptoError.algorithmMismatch(key: self.algorithm, algorithm: algorithm)
        }
        return try key.sign(message, algorithm: algorithm)
    }
}
