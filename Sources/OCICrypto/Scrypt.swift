// SPDX-License-Identifier: Apache-2.0
import COpenSSL

/// scrypt (RFC 7914) through libcrypto's `EVP_PBE_scrypt`, limited to the parameters cosign's key format uses.
public struct ScryptParameters: Hashable, Sendable, CustomStringConvertible {
    /// The CPU/memory cost.
    public let n: UInt64
    /// The block size.
    public let r: UInt64
    /// The parallelism.
    public let p: UInt64

    /// Parameters as given; `derive` refuses any not in `allowed`.
    public init(n: UInt64, r: UInt64, p: UInt64) {
        self.n = n
        self.r = r
        self.p = p
    }

    /// N=32768 (go-securesystemslib's `Legacy`, what older cosign wrote).
    public static let legacy = ScryptParameters(n: 32768, r: 8, p: 1)
    /// N=65536 (`Standard`, what cosign writes and ocitool writes).
    public static let standard = ScryptParameters(n: 65536, r: 8, p: 1)
    /// N=131072 (`OWASP`).
    public static let owasp = ScryptParameters(n: 131072, r: 8, p: 1)
    /// The only parameters read, as go-securesystemslib's `CheckParams` allows: anything else could make reading a
    /// key file cost unbounded memory and time.
    public static let allowed: [ScryptParameters] = [.legacy, .standard, .owasp]

    public var description: String { "N=\(n), r=\(r), p=\(p)" }

    /// Derives `length` bytes from `password` and `salt`.
    /// - Throws: `OCICryptoError.unsupportedKDF` when these parameters are not in `allowed` (checked before any
    ///   work), `.library` when libcrypto fails.
    public func derive(password: [UInt8], salt: [UInt8], length: Int = 32) throws -> [UInt8] {
        guard Self.allowed.contains(self) else {
            throw OCICryptoError.unsupportedKDF(
                "scrypt \(self) (allowed: \(Self.allowed.map(\.description).joined(separator: "; ")))")
        }
        // scrypt needs 128·r·N bytes (128 MiB at N=131072); libcrypto's default cap is 32 MiB.
        let memory = 128 * r * n + 128 * r * p + (1 << 20)
        var key = [UInt8](repeating: 0, count: length)
        let result = password.withUnsafeBufferPointer { password in
            salt.withUnsafeBufferPointer { salt in
                password.withMemoryRebound(to: CChar.self) { password in
                    EVP_PBE_scrypt(
                        password.baseAddress, password.count, salt.baseAddress, salt.count, n, r, p, memory, &key,
                        length)
                }
            }
        }
        try check(result, "EVP_PBE_scrypt")
        return key
    }
}
