// SPDX-License-Identifier: Apache-2.0
import CSodium

/// NaCl's secretbox (XSalsa20-Poly1305) through libsodium: the combined form, the 16-byte tag before the
/// ciphertext, as Go's `nacl/secretbox.Seal` and PyNaCl's `SecretBox` write it.
public enum SecretBox {
    /// The key length: 32 bytes.
    public static let keyLength = Int(crypto_secretbox_keybytes())
    /// The nonce length: 24 bytes.
    public static let nonceLength = Int(crypto_secretbox_noncebytes())
    /// The tag length: 16 bytes.
    public static let tagLength = Int(crypto_secretbox_macbytes())

    /// Encrypts and authenticates `plaintext`.
    /// - Returns: tag and ciphertext, `plaintext.count + 16` bytes.
    /// - Precondition: `key` is 32 bytes and `nonce` 24.
    public static func seal(_ plaintext: [UInt8], key: [UInt8], nonce: [UInt8]) -> [UInt8] {
        precondition(key.count == keyLength && nonce.count == nonceLength, "secretbox key or nonce of the wrong size")
        initialize()
        var sealed = [UInt8](repeating: 0, count: plaintext.count + tagLength)
        let result = crypto_secretbox_easy(&sealed, plaintext, UInt64(plaintext.count), nonce, key)
        precondition(result == 0, "crypto_secretbox_easy failed")
        return sealed
    }

    /// Checks and decrypts what `seal` made.
    /// - Returns: the plaintext, or nil when the tag does not verify (wrong key, or modified bytes).
    /// - Precondition: `key` is 32 bytes and `nonce` 24.
    public static func open(_ sealed: [UInt8], key: [UInt8], nonce: [UInt8]) -> [UInt8]? {
        precondition(key.count == keyLength && nonce.count == nonceLength, "secretbox key or nonce of the wrong size")
        guard sealed.count >= tagLength else { return nil }
        initialize()
        var plaintext = [UInt8](repeating: 0, count: sealed.count - tagLength)
        let result = crypto_secretbox_open_easy(&plaintext, sealed, UInt64(sealed.count), nonce, key)
        return result == 0 ? plaintext : nil
    }

    /// `sodium_init` (idempotent and thread-safe; it picks the fastest implementations for this CPU).
    private static func initialize() {
        _ = initialized
    }

    private static let initialized: Bool = sodium_init() >= 0
}
