// SPDX-License-Identifier: Apache-2.0
import COpenSSL

/// Signing and verifying through `EVP_DigestSign`/`EVP_DigestVerify` (one-shot, so Ed25519 works as well).
extension EVPKey {
    /// Signs `message` with this (private) key.
    func sign(_ message: [UInt8], algorithm: SignatureAlgorithm) throws -> [UInt8] {
        guard let context = EVP_MD_CTX_new() else { throw OCICryptoError.library("EVP_MD_CTX_new failed") }
        defer { EVP_MD_CTX_free(context) }
        var keyContext: OpaquePointer?
        try check(EVP_DigestSignInit(context, &keyContext, algorithm.messageDigest, nil, pointer), "EVP_DigestSignInit")
        try configure(keyContext, for: algorithm, signing: true)
        return try message.withUnsafeBufferPointer { message in
            var length = 0
            try check(EVP_DigestSign(context, nil, &length, message.baseAddress, message.count), "EVP_DigestSign")
            var signature = [UInt8](repeating: 0, count: length)
            try check(
                EVP_DigestSign(context, &signature, &length, message.baseAddress, message.count), "EVP_DigestSign")
            return Array(signature.prefix(length))
        }
    }

    /// Whether `signature` over `message` verifies with this key. A malformed signature is just invalid.
    func verify(_ signature: [UInt8], over message: [UInt8], algorithm: SignatureAlgorithm) throws -> Bool {
        guard !signature.isEmpty else { return false }
        guard let context = EVP_MD_CTX_new() else { throw OCICryptoError.library("EVP_MD_CTX_new failed") }
        defer { EVP_MD_CTX_free(context) }
        var keyContext: OpaquePointer?
        try check(
            EVP_DigestVerifyInit(context, &keyContext, algorithm.messageDigest, nil, pointer), "EVP_DigestVerifyInit")
        try configure(keyContext, for: algorithm, signing: false)
        let result = signature.withUnsafeBufferPointer { signature in
            message.withUnsafeBufferPointer { message in
                EVP_DigestVerify(context, signature.baseAddress, signature.count, message.baseAddress, message.count)
            }
        }
        _ = openSSLMessage()  // a bad signature leaves reasons on the queue; drop them
        return result == 1
    }

    /// RSA padding (and PSS salt length) on the key context `EVP_Digest*Init` made.
    private func configure(_ keyContext: OpaquePointer?, for algorithm: SignatureAlgorithm, signing: Bool) throws {
        switch algorithm {
        case .rsaPKCS1v15:
            try check(EVP_PKEY_CTX_set_rsa_padding(keyContext, RSA_PKCS1_PADDING), "EVP_PKEY_CTX_set_rsa_padding")
        case .rsaPSS:
            try check(EVP_PKEY_CTX_set_rsa_padding(keyContext, RSA_PKCS1_PSS_PADDING), "EVP_PKEY_CTX_set_rsa_padding")
            try check(
                EVP_PKEY_CTX_set_rsa_pss_saltlen(keyContext, signing ? RSA_PSS_SALTLEN_DIGEST : RSA_PSS_SALTLEN_AUTO),
                "EVP_PKEY_CTX_set_rsa_pss_saltlen")
        case .ecdsa, .ed25519: break
        }
    }
}

extension SignatureAlgorithm {
    /// The `EVP_MD` of the hash (nil for Ed25519, as `EVP_DigestSignInit` wants).
    fileprivate var messageDigest: OpaquePointer? {
        switch hash {
        case .sha256: EVP_sha256()
        case .sha384: EVP_sha384()
        case .sha512: EVP_sha512()
        case nil: nil
        }
    }
}
