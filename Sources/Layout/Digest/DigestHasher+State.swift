// SPDX-License-Identifier: Apache-2.0
import COpenSSL

/// A hasher's saved state, so that hashing can stop in one process and go on in another (an upload session kept
/// in an object store and continued by another server), as distribution keeps Go's `sha256` state.
///
/// Encoding (big-endian, independent of the machine): a version byte (1), the algorithm (1: sha256, 2: sha512),
/// the eight chaining words (4 bytes each for sha256, 8 for sha512), the number of bytes hashed (8 bytes), then
/// the bytes of the unfinished block (that number modulo the block size).
extension DigestHasher {
    private static let version: UInt8 = 1

    /// The state after the bytes hashed so far (the hasher goes on unchanged).
    public var state: [UInt8] {
        precondition(!isFinished, "DigestHasher state read after finalize()")
        var encoded: [UInt8] = [DigestHasher.version]
        switch context {
        case .sha256(let context):
            encoded.append(1)
            withUnsafeBytes(of: context.pointee.h) { Self.appendWords($0, width: 4, to: &encoded) }
            let bits = UInt64(context.pointee.Nh) << 32 | UInt64(context.pointee.Nl)
            Self.append(bits >> 3, to: &encoded)
            withUnsafeBytes(of: context.pointee.data) { encoded += $0.prefix(Int(context.pointee.num)) }
        case .sha512(let context):
            encoded.append(2)
            withUnsafeBytes(of: context.pointee.h) { Self.appendWords($0, width: 8, to: &encoded) }
            Self.append(context.pointee.Nl >> 3 | context.pointee.Nh << 61, to: &encoded)
            withUnsafeBytes(of: context.pointee.u) { encoded += $0.prefix(Int(context.pointee.num)) }
        }
        return encoded
    }

    /// A hasher that goes on from a saved `state`, which must cover exactly `count` bytes.
    /// - Throws: `LayoutError.invalidArgument` for a state that is malformed, of an unknown version or algorithm,
    ///   or of another length.
    public convenience init(resuming state: [UInt8], count: Int64) throws(LayoutError) {
        guard state.count >= 2, state[0] == DigestHasher.version,
            let algorithm: DigestAlgorithm = state[1] == 1 ? .sha256 : state[1] == 2 ? .sha512 : nil
        else { throw .invalidArgument("saved hash state is malformed or of an unknown version") }
        self.init(algorithm)
        let width = algorithm == .sha256 ? 4 : 8
        let block = algorithm == .sha256 ? 64 : 128
        let words = 2 + 8 * width
        guard state.count >= words + 8 else { throw .invalidArgument("saved hash state is truncated") }
        let hashed = state[words..<words + 8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        let partial = Int(hashed % UInt64(block))
        guard hashed == UInt64(count), state.count == words + 8 + partial else {
            throw .invalidArgument("saved hash state covers \(hashed) bytes, not the \(count) received")
        }
        let chaining = state[2..<words]
        let tail = state[(words + 8)...]
        switch context {
        case .sha256(let context):
            withUnsafeMutableBytes(of: &context.pointee.h) { Self.storeWords(chaining, width: 4, into: $0) }
            context.pointee.Nl = UInt32(truncatingIfNeeded: hashed << 3)
            context.pointee.Nh = UInt32(truncatingIfNeeded: hashed >> 29)
            withUnsafeMutableBytes(of: &context.pointee.data) { $0.copyBytes(from: tail) }
            context.pointee.num = UInt32(partial)
        case .sha512(let context):
            withUnsafeMutableBytes(of: &context.pointee.h) { Self.storeWords(chaining, width: 8, into: $0) }
            context.pointee.Nl = hashed << 3
            context.pointee.Nh = hashed >> 61
            withUnsafeMutableBytes(of: &context.pointee.u) { $0.copyBytes(from: tail) }
            context.pointee.num = UInt32(partial)
        }
    }

    /// Appends the eight native words of `width` bytes, big-endian.
    private static func appendWords(_ words: UnsafeRawBufferPointer, width: Int, to encoded: inout [UInt8]) {
        for index in 0..<8 {
            let value =
                width == 4
                ? UInt64(words.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self))
                : words.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self)
            for shift in stride(from: (width - 1) * 8, through: 0, by: -8) {
                encoded.append(UInt8(truncatingIfNeeded: value >> shift))
            }
        }
    }

    /// Stores eight big-endian words of `width` bytes as native ones.
    private static func storeWords(
        _ encoded: ArraySlice<UInt8>, width: Int, into words: UnsafeMutableRawBufferPointer
    ) {
        for index in 0..<8 {
            let start = encoded.startIndex + index * width
            let value = encoded[start..<start + width].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            if width == 4 {
                words.storeBytes(of: UInt32(truncatingIfNeeded: value), toByteOffset: index * 4, as: UInt32.self)
            } else {
                words.storeBytes(of: value, toByteOffset: index * 8, as: UInt64.self)
            }
        }
    }

    private static func append(_ value: UInt64, to encoded: inout [UInt8]) {
        for shift in stride(from: 56, through: 0, by: -8) { encoded.append(UInt8(truncatingIfNeeded: value >> shift)) }
    }
}
