// SPDX-License-Identifier: Apache-2.0

/// Why a key could not be read, decrypted or used, or why a signature did not verify.
public enum OCICryptoError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The text is not a complete PEM block (no BEGIN or END line, bad base64, headers); the reason says which.
    case invalidPEM(String)
    /// A PEM block of a type this reader does not take (`found`), with the types it does take.
    case unexpectedPEMType(found: String, expected: [String])
    /// The DER inside a PEM block (or given directly) is not a key of the kind its label says.
    case invalidKey(String)
    /// A key of a type or size ocitool does not use (such as ECDSA on secp256k1, or RSA under 2048 bits).
    case unsupportedKeyType(String)
    /// A signature algorithm that does not fit the key (ECDSA with an Ed25519 key, PSS with an ECDSA key, …).
    case algorithmMismatch(key: KeyAlgorithm, algorithm: SignatureAlgorithm)
    /// The JSON body of an encrypted key is malformed (missing field, bad base64, wrong salt or nonce size).
    case invalidEncryptedKey(String)
    /// An encrypted key names a KDF other than scrypt, or scrypt parameters outside the allowed ones.
    case unsupportedKDF(String)
    /// An encrypted key names a cipher other than nacl/secretbox.
    case unsupportedCipher(String)
    /// The key is encrypted and no password was given.
    case passwordRequired
    /// Decryption failed: the password is wrong (or the encrypted key was modified).
    case wrongPassword
    /// The signature does not verify with this key over these bytes.
    case badSignature
    /// libcrypto or libsodium failed at something that should not fail (out of memory, no randomness).
    case library(String)

    public var description: String {
        switch self {
        case .invalidPEM(let reason): "invalid PEM: \(reason)"
        case .unexpectedPEMType(let found, let expected):
            "unexpected PEM block '\(found)' (expected \(expected.map { "'\($0)'" }.joined(separator: " or ")))"
        case .invalidKey(let reason): "invalid key: \(reason)"
        case .unsupportedKeyType(let type): "unsupported key type: \(type)"
        case .algorithmMismatch(let key, let algorithm): "a \(key) key cannot make or check \(algorithm) signatures"
        case .invalidEncryptedKey(let reason): "invalid encrypted key: \(reason)"
        case .unsupportedKDF(let reason): "unsupported key derivation: \(reason)"
        case .unsupportedCipher(let name): "unsupported cipher '\(name)' (only nacl/secretbox)"
        case .passwordRequired: "the private key is encrypted and no password was given"
        case .wrongPassword: "wrong password: the private key did not decrypt (or the key file was modified)"
        case .badSignature: "invalid signature: it does not verify with this key over these bytes"
        case .library(let message): "cryptography library failure: \(message)"
        }
    }
}
