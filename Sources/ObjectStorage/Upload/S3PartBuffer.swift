// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout

/// One part of an upload in memory: room at the front for the chunks earlier requests saved (`fetch` reads them
/// back there), then the bytes the current request received. Handed to the part queue once full, or once the
/// upload ends.
final class S3PartBuffer: @unchecked Sendable {
    private let memory: UnsafeMutableRawBufferPointer
    /// Bytes reserved at the front for saved chunks.
    let front: Int
    /// Bytes held, the front included.
    private(set) var count: Int

    /// - Parameters:
    ///   - capacity: the part's size at most.
    ///   - front: the size of the saved chunks that start it.
    init(capacity: Int, front: Int) {
        memory = .allocate(byteCount: max(capacity, 1), alignment: 16)
        self.front = front
        count = front
    }

    deinit { memory.deallocate() }

    /// Every byte of the part (the front is meaningful once fetched).
    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: memory[..<count]) }

    /// The bytes received after the front.
    var received: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: memory[front..<count]) }

    var isFull: Bool { count == memory.count }

    /// Copies as much of `bytes` as fits.
    /// - Returns: how many bytes were taken.
    func append(_ bytes: UnsafeRawBufferPointer) -> Int {
        let taken = min(bytes.count, memory.count - count)
        guard taken > 0 else { return 0 }
        UnsafeMutableRawBufferPointer(rebasing: memory[count..<count + taken])
            .copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[..<taken]))
        count += taken
        return taken
    }

    /// Reads the saved chunks back into the front, each checked against its recorded size and SHA-256 (bytes
    /// changed in the bucket never go into the blob).
    /// - Throws: `LayoutError.io` naming a chunk that is missing or changed; I/O errors.
    func fetch(_ chunks: [S3UploadRecord.Chunk], from client: S3Client) throws(LayoutError) {
        var offset = 0
        for chunk in chunks {
            let start = offset
            let end = start + Int(chunk.size)
            guard end <= front else { throw .invalidArgument("saved upload chunks exceed their part") }
            let hasher = DigestHasher(.sha256)
            var filled = start
            let found = try client.get(chunk.key) { (piece) in
                guard filled + piece.count <= end else { return false }
                UnsafeMutableRawBufferPointer(rebasing: self.memory[filled..<filled + piece.count])
                    .copyMemory(from: piece)
                hasher.update(piece)
                filled += piece.count
                return true
            }
            guard found != nil, filled == end, hasher.finalize().encoded == chunk.sha256 else {
                throw .io(
                    "read back the upload chunk", path: client.objectName(chunk.key) + " (missing or changed)",
                    errno: EIO)
            }
            offset = end
        }
        guard offset == front else { throw .invalidArgument("saved upload chunks do not fill their part") }
    }
}
