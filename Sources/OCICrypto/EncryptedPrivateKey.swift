// SPDX-License-Identifier: Apache-2.0
import Foundation

/// cosign's encrypted private key file (`cosign.key`): a PEM block `ENCRYPTED SIGSTORE PRIVATE KEY` (or the older
/// `ENCRYPTED COSIGN PRIVATE KEY`) whose body is go-securesystemslib's `encrypted` JSON
///
///     {"kdf":{"name":"scrypt","params":{"N":65536,"r":8,"p":1},"salt":"<base64, 32 bytes>"},
///      "cipher":{"name":"nacl/secretbox","nonce":"<base64, 24 bytes>"},"ciphertext":"<base64>"}
///
/// where the secretbox key is scrypt(password, salt, N, r, p) of 32 bytes and the plaintext is the DER PKCS#8
/// private key. Sources: sigstore/cosign `pkg/cosign/keys.go` (`marshalKeyPair`, `LoadPrivateKey`),
/// secure-systems-lab/go-securesystemslib `encrypted/encrypted.go`.
public enum EncryptedPrivateKey {
    /// The PEM type cosign writes.
    public static let pemType = "ENCRYPTED SIGSTORE PRIVATE KEY"
    /// The PEM type older cosign wrote; still read.
    public static let legacyPEMType = "ENCRYPTED COSIGN PRIVATE KEY"
    /// Both PEM types read.
    public static let pemTypes = [pemType, legacyPEMType]

    static let saltLength = 32

    /// Encrypts a key in cosign's format, with scrypt N=65536, r=8, p=1, a random salt and nonce.
    /// - Parameters:
    ///   - key: the private key.
    ///   - password: the password (may be empty, as cosign allows).
    /// - Returns: the PEM text of an `ENCRYPTED SIGSTORE PRIVATE KEY` block.
    /// - Throws: `OCICryptoError.library` when libcrypto fails.
    public static func seal(_ key: PrivateKey, password: [UInt8]) throws -> String {
        try seal(key, password: password, parameters: .standard)
    }

    /// `seal(_:password:)` with other (allowed) scrypt parameters.
    static func seal(_ key: PrivateKey, password: [UInt8], parameters: ScryptParameters) throws -> String {
        try seal(plaintext: key.pkcs8DER(), password: password, parameters: parameters)
    }

    /// Encrypts any `plaintext` in the format (tests use it for plaintexts that are not PKCS#8).
    static func seal(plaintext: [UInt8], password: [UInt8], parameters: ScryptParameters) throws -> String {
        let salt = try randomBytes(saltLength)
        let nonce = try randomBytes(SecretBox.nonceLength)
        let boxKey = try parameters.derive(password: password, salt: salt, length: SecretBox.keyLength)
        let ciphertext = SecretBox.seal(plaintext, key: boxKey, nonce: nonce)
        // Go's encoding/json field order, so the file reads like cosign's; every value is base64 or a number.
        let json =
            #"{"kdf":{"name":"scrypt","params":{"N":\#(parameters.n),"r":\#(parameters.r),"p":\#(parameters.p)},"#
            + #""salt":"\#(base64(salt))"},"cipher":{"name":"nacl/secretbox","nonce":"\#(base64(nonce))"},"#
            + #""ciphertext":"\#(base64(ciphertext))"}"#
        return PEMBlock(type: pemType, bytes: Array(json.utf8)).encoded
    }

    /// Decrypts a key in cosign's format.
    /// - Parameters:
    ///   - pem: the PEM text of an `ENCRYPTED SIGSTORE PRIVATE KEY` or `ENCRYPTED COSIGN PRIVATE KEY` block.
    ///   - password: the password.
    /// - Throws: `OCICryptoError.invalidPEM`, `.unexpectedPEMType`, `.invalidEncryptedKey` (malformed JSON, bad
    ///   base64, wrong salt or nonce size), `.unsupportedKDF` (not scrypt, or parameters outside
    ///   `ScryptParameters.allowed`, rejected before scrypt runs), `.unsupportedCipher`, `.wrongPassword`, and
    ///   the errors of `PrivateKey(pkcs8DER:)` for the plaintext.
    public static func open(_ pem: String, password: [UInt8]) throws -> PrivateKey {
        try open(PEMBlock(parsing: pem), password: password)
    }

    /// `open(_:password:)` for a parsed block.
    static func open(_ block: PEMBlock, password: [UInt8]) throws -> PrivateKey {
        guard pemTypes.contains(block.type) else {
            throw OCICryptoError.unexpectedPEMType(found: block.type, expected: pemTypes)
        }
        let document: Document
        do {
            document = try JSONDecoder().decode(Document.self, from: Data(block.bytes))
        } catch let error as DecodingError {
            throw OCICryptoError.invalidEncryptedKey(Self.describe(error))
        }
        guard document.kdf.name == "scrypt" else {
            throw OCICryptoError.unsupportedKDF("'\(document.kdf.name)' (only scrypt)")
        }
        guard document.cipher.name == "nacl/secretbox" else {
            throw OCICryptoError.unsupportedCipher(document.cipher.name)
        }
        let params = document.kdf.params
        guard let n = UInt64(exactly: params.n), let r = UInt64(exactly: params.r), let p = UInt64(exactly: params.p),
            ScryptParameters.allowed.contains(ScryptParameters(n: n, r: r, p: p))
        else {
            throw OCICryptoError.unsupportedKDF(
                "scrypt N=\(params.n), r=\(params.r), p=\(params.p) (allowed: "
                    + ScryptParameters.allowed.map(\.description).joined(separator: "; ") + ")")
        }
        let salt = try decodeBase64(document.kdf.salt, "kdf.salt")
        let nonce = try decodeBase64(document.cipher.nonce, "cipher.nonce")
        let ciphertext = try decodeBase64(document.ciphertext, "ciphertext")
        guard salt.count == saltLength else {
            throw OCICryptoError.invalidEncryptedKey("the salt is \(salt.count) bytes, not \(saltLength)")
        }
        guard nonce.count == SecretBox.nonceLength else {
            throw OCICryptoError.invalidEncryptedKey("the nonce is \(nonce.count) bytes, not \(SecretBox.nonceLength)")
        }
        let boxKey = try ScryptParameters(n: n, r: r, p: p).derive(
            password: password, salt: salt, length: SecretBox.keyLength)
        guard let plaintext = SecretBox.open(ciphertext, key: boxKey, nonce: nonce) else {
            throw OCICryptoError.wrongPassword
        }
        return try PrivateKey(pkcs8DER: plaintext)
    }

    // MARK: - The JSON body

    struct Document: Decodable {
        struct KDF: Decodable {
            struct Params: Decodable {
                let n: Int64
                let r: Int64
                let p: Int64
                enum CodingKeys: String, CodingKey {
                    case n = "N"
                    case r, p
                }
            }
            let name: String
            let params: Params
            let salt: String
        }
        struct Cipher: Decodable {
            let name: String
            let nonce: String
        }
        let kdf: KDF
        let cipher: Cipher
        let ciphertext: String
    }

    private static func base64(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }

    private static func decodeBase64(_ text: String, _ field: String) throws -> [UInt8] {
        guard let data = Data(base64Encoded: text) else {
            throw OCICryptoError.invalidEncryptedKey("\(field) is not valid base64")
        }
        return Array(data)
    }

    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, let context):
            "missing field '\((context.codingPath.map(\.stringValue) + [key.stringValue]).joined(separator: "."))'"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            "field '\(context.codingPath.map(\.stringValue).joined(separator: "."))' has the wrong type"
        case .dataCorrupted(let context) where context.codingPath.isEmpty: "the body is not JSON"
        case .dataCorrupted(let context):
            "field '\(context.codingPath.map(\.stringValue).joined(separator: "."))' is malformed"
        @unknown default: "the JSON body is malformed"
        }
    }
}
