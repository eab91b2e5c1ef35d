// SPDX-License-Identifier: Apache-2.0

/// A hash function a signature is made over.
public enum HashFunction: String, Hashable, Sendable, CaseIterable {
    case sha256 = "SHA-256"
    case sha384 = "SHA-384"
    case sha512 = "SHA-512"
}

/// How a signature is made and checked. ECDSA signatures are ASN.1 DER (`Ecdsa-Sig-Value`), as cosign writes them
/// base64 in `dev.cosignproject.cosign/signature`; Ed25519 signatures are the 64 raw bytes of RFC 8032.
public enum SignatureAlgorithm: Hashable, Sendable, CustomStringConvertible {
    /// ECDSA over the given hash, DER-encoded.
    case ecdsa(HashFunction)
    /// Ed25519 over the message itself (PureEdDSA).
    case ed25519
    /// RSASSA-PKCS1-v1_5 over the given hash.
    case rsaPKCS1v15(HashFunction)
    /// RSASSA-PSS over the given hash, MGF1 with the same hash; signing uses a salt as long as the hash, verifying
    /// accepts any salt length.
    case rsaPSS(HashFunction)

    public var description: String {
        switch self {
        case .ecdsa(let hash): "ECDSA with \(hash.rawValue)"
        case .ed25519: "Ed25519"
        case .rsaPKCS1v15(let hash): "RSA PKCS#1 v1.5 with \(hash.rawValue)"
        case .rsaPSS(let hash): "RSA PSS with \(hash.rawValue)"
        }
    }

    /// Whether signatures of this algorithm can be made or checked with a key of `key`'s kind.
    public func fits(_ key: KeyAlgorithm) -> Bool {
        switch (self, key) {
        case (.ecdsa, .ecdsaP256), (.ecdsa, .ecdsaP384), (.ed25519, .ed25519), (.rsaPKCS1v15, .rsa), (.rsaPSS, .rsa):
            true
        default: false
        }
    }

    /// The hash, or nil for Ed25519 (which hashes inside).
    var hash: HashFunction? {
        switch self {
        case .ecdsa(let hash), .rsaPKCS1v15(let hash), .rsaPSS(let hash): hash
        case .ed25519: nil
        }
    }
}
