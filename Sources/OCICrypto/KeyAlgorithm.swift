// SPDX-License-Identifier: Apache-2.0

/// The kinds of key ocitool reads, writes and signs with.
public enum KeyAlgorithm: Hashable, Sendable, CustomStringConvertible {
    /// ECDSA on NIST P-256 (cosign's default).
    case ecdsaP256
    /// ECDSA on NIST P-384.
    case ecdsaP384
    /// Ed25519 (RFC 8032).
    case ed25519
    /// RSA (an `rsaEncryption` key) of the given modulus size.
    case rsa(bits: Int)

    /// The smallest RSA modulus accepted, for reading as for generating.
    public static let minimumRSABits = 2048

    public var description: String {
        switch self {
        case .ecdsaP256: "ECDSA P-256"
        case .ecdsaP384: "ECDSA P-384"
        case .ed25519: "Ed25519"
        case .rsa(let bits): "RSA \(bits)"
        }
    }

    /// The signature algorithm cosign uses with this kind of key: ECDSA over SHA-256 for P-256, over SHA-384 for
    /// P-384, Ed25519, and RSA PKCS#1 v1.5 over SHA-256.
    public var defaultSignatureAlgorithm: SignatureAlgorithm {
        switch self {
        case .ecdsaP256: .ecdsa(.sha256)
        case .ecdsaP384: .ecdsa(.sha384)
        case .ed25519: .ed25519
        case .rsa: .rsaPKCS1v15(.sha256)
        }
    }
}
