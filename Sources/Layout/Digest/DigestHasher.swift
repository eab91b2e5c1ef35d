// SPDX-License-Identifier: Apache-2.0
import COpenSSL
public import Foundation

/// An incremental SHA-256/SHA-512 hasher over OpenSSL EVP. The only file in Layout that touches libcrypto.
///
/// Not thread-safe: one hasher belongs to one writer at a time.
public final class DigestHasher {
    private let context: OpaquePointer
    /// The algorithm this hasher computes.
    public let algorithm: DigestAlgorithm
    private var finished = false

    /// - Parameter algorithm: sha256 (the default) or sha512.
    public init(_ algorithm: DigestAlgorithm = .sha256) {
        self.algorithm = algorithm
        guard let context = EVP_MD_CTX_new() else { fatalError("EVP_MD_CTX_new: out of memory") }
        self.context = context
        let md = algorithm == .sha256 ? EVP_sha256() : EVP_sha512()
        guard EVP_DigestInit_ex(context, md, nil) == 1 else {
            fatalError("EVP_DigestInit_ex failed: \(DigestHasher.opensslError())")
        }
    }

    deinit { EVP_MD_CTX_free(context) }

    /// Adds bytes to the hash.
    public func update(_ bytes: UnsafeRawBufferPointer) {
        precondition(!finished, "DigestHasher used after finalize()")
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        EVP_DigestUpdate(context, base, bytes.count)
    }

    /// Adds bytes to the hash.
    public func update(_ data: some ContiguousBytes) {
        data.withUnsafeBytes { update($0) }
    }

    /// Finishes and returns the digest. The hasher cannot be used afterwards.
    public func finalize() -> Digest {
        precondition(!finished, "DigestHasher finalized twice")
        finished = true
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        EVP_DigestFinal_ex(context, &output, &length)
        let hex = "0123456789abcdef".utf8.map { $0 }
        var text = [UInt8]()
        text.reserveCapacity(Int(length) * 2)
        for byte in output.prefix(Int(length)) {
            text.append(hex[Int(byte >> 4)])
            text.append(hex[Int(byte & 0x0F)])
        }
        return Digest(algorithm: algorithm, encoded: String(decoding: text, as: UTF8.self))
    }

    private static func opensslError() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(ERR_get_error(), &buffer, buffer.count)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

extension Digest {
    /// The SHA-256 digest of `bytes`.
    public static func sha256(of bytes: some ContiguousBytes) -> Digest {
        let hasher = DigestHasher(.sha256)
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// A hasher for this digest's algorithm, to verify content against it.
    public func makeHasher() -> DigestHasher { DigestHasher(algorithm) }
}
