// SPDX-License-Identifier: Apache-2.0
import Layout

/// A layer blob pulled from its source and hashed as it passes, so a layer is read once and checked against
/// its descriptor (a cache keyed by that digest must never hold another blob's packages).
final class VerifyingBlobStream: BlobStream {
    private let base: any BlobStream
    private let descriptor: Descriptor
    private let hasher: DigestHasher
    private var count: Int64 = 0
    private var ended = false

    init(_ base: any BlobStream, descriptor: Descriptor) {
        self.base = base
        self.descriptor = descriptor
        hasher = descriptor.digest.makeHasher()
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard !ended else { return 0 }
        let read = try base.read(into: buffer)
        if read == 0 {
            ended = true
            try check()
            return 0
        }
        count += Int64(read)
        guard count <= descriptor.size else {
            throw LayoutError.sizeMismatch(descriptor.digest, expected: descriptor.size, actual: count)
        }
        hasher.update(UnsafeRawBufferPointer(rebasing: buffer[..<read]))
        return read
    }

    /// Reads what the tar reader left (the padding after the end marker) and checks size and digest.
    func finish() throws {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 << 10, alignment: 16)
        defer { buffer.deallocate() }
        while try read(into: buffer) > 0 {}
    }

    func close() { base.close() }

    private func check() throws {
        guard count == descriptor.size else {
            throw LayoutError.sizeMismatch(descriptor.digest, expected: descriptor.size, actual: count)
        }
        let actual = hasher.finalize()
        guard actual == descriptor.digest else {
            throw LayoutError.digestMismatch(expected: descriptor.digest, actual: actual)
        }
    }
}
