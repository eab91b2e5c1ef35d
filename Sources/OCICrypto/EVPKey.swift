// SPDX-License-Identifier: Apache-2.0
import COpenSSL

/// An `EVP_PKEY`, freed with the last value that holds it. Nothing mutates it after it is built, and libcrypto
/// allows a built key to be used from several threads at once (each signature gets its own `EVP_MD_CTX`), so it
/// is `@unchecked Sendable`.
final class EVPKey: @unchecked Sendable {
    let pointer: OpaquePointer

    init(_ pointer: OpaquePointer) { self.pointer = pointer }

    deinit { EVP_PKEY_free(pointer) }

    /// The DER structures a key is decoded from.
    enum Structure {
        case pkcs8, sec1, pkcs1Private, spki, pkcs1Public

        /// OSSL_DECODER's structure name, key type and selection.
        var decoder: (structure: String, keyType: String?, selection: Int32) {
            switch self {
            case .pkcs8: ("PrivateKeyInfo", nil, ocitool_openssl_select_keypair())
            case .sec1: ("type-specific", "EC", ocitool_openssl_select_keypair())
            case .pkcs1Private: ("type-specific", "RSA", ocitool_openssl_select_keypair())
            case .spki: ("SubjectPublicKeyInfo", nil, ocitool_openssl_select_public_key())
            case .pkcs1Public: ("type-specific", "RSA", ocitool_openssl_select_public_key())
            }
        }
    }

    /// Decodes DER `bytes` as `structure`: PKCS#8 and SubjectPublicKeyInfo strictly through their `d2i_`
    /// functions (OSSL_DECODER would also take a SEC1 key as PKCS#8, which cosign refuses), the rest through
    /// OSSL_DECODER.
    /// - Throws: `OCICryptoError.invalidKey` with libcrypto's reason.
    static func decode(_ bytes: [UInt8], as structure: Structure) throws -> EVPKey {
        switch structure {
        case .pkcs8:
            return try decodeWhole(bytes, as: structure) { cursor, length in
                guard let info = d2i_PKCS8_PRIV_KEY_INFO(nil, cursor, length) else { return nil }
                defer { PKCS8_PRIV_KEY_INFO_free(info) }
                return EVP_PKCS82PKEY(info)
            }
        case .spki:
            return try decodeWhole(bytes, as: structure) { cursor, length in d2i_PUBKEY(nil, cursor, length) }
        case .sec1, .pkcs1Private, .pkcs1Public:
            return try decodeWithDecoder(bytes, as: structure)
        }
    }

    /// Runs a `d2i_` function over all of `bytes`: a key followed by other bytes is invalid too.
    private static func decodeWhole(
        _ bytes: [UInt8], as structure: Structure,
        _ d2i: (UnsafeMutablePointer<UnsafePointer<UInt8>?>, Int) -> OpaquePointer?
    ) throws -> EVPKey {
        let (key, consumed) = bytes.withUnsafeBufferPointer { buffer -> (OpaquePointer?, Int) in
            guard let start = buffer.baseAddress else { return (nil, 0) }
            var cursor: UnsafePointer<UInt8>? = start
            let key = d2i(&cursor, buffer.count)
            return (key, cursor.map { $0 - start } ?? 0)
        }
        guard let key else { throw invalid(structure) }
        guard consumed == bytes.count else {
            EVP_PKEY_free(key)
            throw OCICryptoError.invalidKey("a DER \(structure.label) followed by \(bytes.count - consumed) other bytes")
        }
        return EVPKey(key)
    }

    /// The `invalidKey` error for `structure`, with libcrypto's reasons.
    private static func invalid(_ structure: Structure) -> OCICryptoError {
        let reason = openSSLMessage()
        return OCICryptoError.invalidKey("not a DER \(structure.label)\(reason.isEmpty ? "" : " (\(reason))")")
    }

    /// Decodes through OSSL_DECODER (SEC1 and the PKCS#1 structures, which have no strict `d2i_` outside the
    /// deprecated RSA and EC_KEY APIs).
    private static func decodeWithDecoder(_ bytes: [UInt8], as structure: Structure) throws -> EVPKey {
        let (name, keyType, selection) = structure.decoder
        var key: OpaquePointer?
        guard let context = OSSL_DECODER_CTX_new_for_pkey(&key, "DER", name, keyType, selection, nil, nil) else {
            throw OCICryptoError.library("OSSL_DECODER_CTX_new_for_pkey: \(openSSLMessage())")
        }
        defer { OSSL_DECODER_CTX_free(context) }
        let decoded = bytes.withUnsafeBufferPointer { buffer -> Int32 in
            var data = buffer.baseAddress
            var length = buffer.count
            return OSSL_DECODER_from_data(context, &data, &length)
        }
        guard decoded == 1, let key else { throw invalid(structure) }
        return EVPKey(key)
    }

    /// Generates a new key.
    static func generate(_ algorithm: KeyAlgorithm) throws -> EVPKey {
        let name =
            switch algorithm {
            case .ecdsaP256, .ecdsaP384: "EC"
            case .ed25519: "ED25519"
            case .rsa: "RSA"
            }
        guard let context = EVP_PKEY_CTX_new_from_name(nil, name, nil) else {
            throw OCICryptoError.library("EVP_PKEY_CTX_new_from_name: \(openSSLMessage())")
        }
        defer { EVP_PKEY_CTX_free(context) }
        try check(EVP_PKEY_keygen_init(context), "EVP_PKEY_keygen_init")
        switch algorithm {
        case .ecdsaP256: try check(EVP_PKEY_CTX_set_group_name(context, "P-256"), "EVP_PKEY_CTX_set_group_name")
        case .ecdsaP384: try check(EVP_PKEY_CTX_set_group_name(context, "P-384"), "EVP_PKEY_CTX_set_group_name")
        case .rsa(let bits):
            guard bits >= KeyAlgorithm.minimumRSABits else {
                throw OCICryptoError.unsupportedKeyType("RSA keys under \(KeyAlgorithm.minimumRSABits) bits")
            }
            try check(EVP_PKEY_CTX_set_rsa_keygen_bits(context, Int32(bits)), "EVP_PKEY_CTX_set_rsa_keygen_bits")
        case .ed25519: break
        }
        var key: OpaquePointer?
        try check(EVP_PKEY_generate(context, &key), "EVP_PKEY_generate")
        guard let key else { throw OCICryptoError.library("EVP_PKEY_generate returned no key") }
        return EVPKey(key)
    }

    /// What kind of key this is.
    /// - Throws: `OCICryptoError.unsupportedKeyType` for curves other than P-256 and P-384, RSA-PSS-only keys,
    ///   RSA under 2048 bits, and every other key type.
    func algorithm() throws -> KeyAlgorithm {
        if EVP_PKEY_is_a(pointer, "ED25519") == 1 { return .ed25519 }
        if EVP_PKEY_is_a(pointer, "RSA") == 1 {
            let bits = Int(EVP_PKEY_get_bits(pointer))
            guard bits >= KeyAlgorithm.minimumRSABits else {
                throw OCICryptoError.unsupportedKeyType("RSA \(bits) (keys under \(KeyAlgorithm.minimumRSABits) bits)")
            }
            return .rsa(bits: bits)
        }
        if EVP_PKEY_is_a(pointer, "EC") == 1 {
            var name = [CChar](repeating: 0, count: 80)
            var length = 0
            guard EVP_PKEY_get_group_name(pointer, &name, name.count, &length) == 1 else {
                throw OCICryptoError.unsupportedKeyType("ECDSA with explicit curve parameters")
            }
            let group = String(decoding: name.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            switch group {
            case "prime256v1", "P-256", "secp256r1": return .ecdsaP256
            case "secp384r1", "P-384": return .ecdsaP384
            default: throw OCICryptoError.unsupportedKeyType("ECDSA on \(group) (only P-256 and P-384)")
            }
        }
        let type = EVP_PKEY_get0_type_name(pointer).map { String(cString: $0) } ?? "unknown"
        throw OCICryptoError.unsupportedKeyType(type)
    }

    /// The public half as DER `SubjectPublicKeyInfo`.
    func spkiDER() throws -> [UInt8] {
        try encode("i2d_PUBKEY") { i2d_PUBKEY(pointer, $0) }
    }

    /// The key as unencrypted DER PKCS#8 `PrivateKeyInfo`.
    func pkcs8DER() throws -> [UInt8] {
        guard let info = EVP_PKEY2PKCS8(pointer) else {
            throw OCICryptoError.library("EVP_PKEY2PKCS8: \(openSSLMessage())")
        }
        defer { PKCS8_PRIV_KEY_INFO_free(info) }
        return try encode("i2d_PKCS8_PRIV_KEY_INFO") { i2d_PKCS8_PRIV_KEY_INFO(info, $0) }
    }

    /// Runs an `i2d_*` function twice: for the length, then into a buffer of that length.
    private func encode(
        _ name: String, _ i2d: (UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>?) -> Int32
    ) throws -> [UInt8] {
        let length = i2d(nil)
        guard length > 0 else { throw OCICryptoError.library("\(name): \(openSSLMessage())") }
        var bytes = [UInt8](repeating: 0, count: Int(length))
        let written = bytes.withUnsafeMutableBufferPointer { buffer -> Int32 in
            var cursor = buffer.baseAddress
            return i2d(&cursor)
        }
        guard written == length else { throw OCICryptoError.library("\(name): \(openSSLMessage())") }
        return bytes
    }
}

extension EVPKey.Structure {
    var label: String {
        switch self {
        case .pkcs8: "PKCS#8 private key"
        case .sec1: "SEC1 EC private key"
        case .pkcs1Private: "PKCS#1 RSA private key"
        case .spki: "SubjectPublicKeyInfo public key"
        case .pkcs1Public: "PKCS#1 RSA public key"
        }
    }
}

/// Throws `OCICryptoError.library` unless a libcrypto call returned 1.
func check(_ result: Int32, _ function: String) throws {
    guard result == 1 else { throw OCICryptoError.library("\(function): \(openSSLMessage())") }
}

/// libcrypto's reasons for the last failure, oldest first, and an empty error queue.
func openSSLMessage() -> String {
    var reasons: [String] = []
    while true {
        let code = ERR_get_error()
        if code == 0 { break }
        var buffer = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &buffer, buffer.count)
        reasons.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }
    return reasons.joined(separator: "; ")
}

/// `count` bytes from libcrypto's CSPRNG.
func randomBytes(_ count: Int) throws -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: count)
    try check(RAND_bytes(&bytes, Int32(count)), "RAND_bytes")
    return bytes
}

/// SHA-256 of `bytes`.
func sha256(_ bytes: [UInt8]) -> [UInt8] {
    var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
    var length: UInt32 = 0
    let result = bytes.withUnsafeBufferPointer {
        EVP_Digest($0.baseAddress, $0.count, &digest, &length, EVP_sha256(), nil)
    }
    precondition(result == 1, "SHA-256 failed in libcrypto")
    return Array(digest.prefix(Int(length)))
}
