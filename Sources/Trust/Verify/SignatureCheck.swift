// SPDX-License-Identifier: Apache-2.0
import OCICrypto

/// Whether a signature verifies with a key, trying each algorithm a signer of that key kind may have used:
/// ECDSA over SHA-256 for any curve (cosign's default) as well as the curve's own hash; RSA with PKCS#1 v1.5
/// and PSS; Ed25519.
enum SignatureCheck {
    static func verifies(_ signature: [UInt8], over message: [UInt8], with key: PublicKey) -> Bool {
        algorithms(for: key.algorithm).contains { algorithm in
            (try? key.isValidSignature(signature, over: message, algorithm: algorithm)) == true
        }
    }

    static func algorithms(for key: KeyAlgorithm) -> [SignatureAlgorithm] {
        switch key {
        case .ecdsaP256: [.ecdsa(.sha256)]
        case .ecdsaP384: [.ecdsa(.sha384), .ecdsa(.sha256)]
        case .ed25519: [.ed25519]
        case .rsa: [.rsaPKCS1v15(.sha256), .rsaPSS(.sha256)]
        }
    }
}
