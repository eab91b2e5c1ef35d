// SPDX-License-Identifier: Apache-2.0
import CCrypt

/// bcrypt password hashes through libcrypt (libxcrypt's `crypt_rn`), as htpasswd files hold them.
///
/// A module of its own: calling libcrypt from Serve itself made the Swift compiler attribute libc types
/// (`struct stat`) to another module there, breaking unrelated files under MemberImportVisibility.
public enum Bcrypt {
    /// A bcrypt hash of `password` (`$2y$`, as `htpasswd -B` writes, with a random salt).
    /// - Parameters:
    ///   - password: the password.
    ///   - cost: log2 of the rounds, 4...31.
    /// - Returns: the hash, or nil when libcrypt cannot make one.
    public static func hash(_ password: String, cost: Int = 10) -> String? {
        var setting = [CChar](repeating: 0, count: Int(OCITOOL_CRYPT_GENSALT_OUTPUT_SIZE))
        guard crypt_gensalt_rn("$2b$", UInt(cost), nil, 0, &setting, Int32(setting.count)) != nil else { return nil }
        let salt = String(decoding: setting.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard let hash = crypt(password, setting: salt) else { return nil }
        // `htpasswd -B` writes $2y$, the same algorithm.
        return "$2y$" + hash.dropFirst(4)
    }

    /// Whether `password` hashes to `hash` (compared in constant time).
    public static func verify(_ password: String, hash: String) -> Bool {
        guard let computed = crypt(password, setting: hash) else { return false }
        let left = Array(computed.utf8)
        let right = Array(hash.utf8)
        guard left.count == right.count else { return false }
        var difference: UInt8 = 0
        for index in left.indices { difference |= left[index] ^ right[index] }
        return difference == 0
    }

    /// `crypt_rn` with a zeroed work area (32 KiB), wiped afterwards; nil on failure.
    private static func crypt(_ password: String, setting: String) -> String? {
        var data = [UInt8](repeating: 0, count: Int(OCITOOL_CRYPT_DATA_SIZE))
        defer { for index in data.indices { data[index] = 0 } }
        let text: String? = data.withUnsafeMutableBytes { buffer in
            crypt_rn(password, setting, buffer.baseAddress, Int32(buffer.count)).map { String(cString: $0) }
        }
        guard let text, !text.hasPrefix("*") else { return nil }
        return text
    }
}
