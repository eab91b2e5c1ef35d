// SPDX-License-Identifier: Apache-2.0
import COpenSSL
public import Foundation

/// An incremental SHA-256/SHA-512 hasher over OpenSSL's SHA-2 contexts, whose state can be saved and restored
/// (`state`, `init(resuming:)`): an upload continued on another server goes on hashing where the first stopped.
/// With `DigestHasher+State.swift`, the only files in Layout that touch libcrypto.
///
/// Not thread-safe: one hasher belongs to one writer at a time.
public final class DigestHasher {
    /// One context, for the algorithm's block function (OpenSSL's assembly, SHA-NI where the CPU has it).
    enum Context {
        case sha256(UnsafeMutablePointer<SHA256_CTX>)
        case sha512(UnsafeMutablePointer<SHA512_CTX>)
    }

    let context: Context
    /// The algorithm this hasher computes.
    public let algorithm: DigestAlgorithm
    /// Whether `finalize` was called.
    private(set) var isFinished = false

    /// - Parameter algorithm: sha256 (the default) or sha512.
    public init(_ algorithm: DigestAlgorithm = .sha256) {
        self.algorithm = algorithm
        switch algorithm {
        case .sha256:
            let context = UnsafeMutablePointer<SHA256_CTX>.allocate(capacity: 1)
            SHA256_Init(context)
            self.context = .sha256(context)
        case .sha512:
            let context = UnsafeMutablePointer<SHA512_CTX>.allocate(capacity: 1)
            SHA512_Init(context)
            self.context = .sha512(context)
        }
    }

    deinit {
        switch context {
        case .sha256(let context): context.deallocate()
        case .sha512(let context): context.deallocate()
        }
    }

    /// Adds bytes to the hash.
    public func update(_ bytes: UnsafeRawBufferPointer) {
        precondition(!isFinished, "DigestHasher used after finalize()")
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        switch context {
        case .sha256(let context): SHA256_Update(context, base, bytes.count)
        case .sha512(let context): SHA512_Update(context, base, bytes.count)
        }
    }

    /// Adds bytes to the hash.
    public func update(_ data: some ContiguousBytes) {
        data.withUnsafeBytes { update($0) }
    }

    /// Finishes and returns the digest. The hasher cannot be used afterwards.
    public func finalize() -> Digest {
        precondition(!isFinished, "DigestHasher finalized twice")
        isFinished = true
        var output = [UInt8](repeating: 0, count: 64)
        let length: Int
        switch context {
        case .sha256(let context):
            SHA256_Final(&output, context)
            length = 32
        case .sha512(let context):
            SHA512_Final(&output, context)
            length = 64
        }
        let hex = "0123456789abcdef".utf8.map { $0 }
        var text = [UInt8]()
        text.reserveCapacity(length * 2)
        for byte in output.prefix(length) {
            text.append(hex[Int(byte >> 4)])
            text.append(hex[Int(byte & 0x0F)])
        }
        return Digest(algorithm: algorithm, encoded: String(decoding: text, as: UTF8.self))
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
