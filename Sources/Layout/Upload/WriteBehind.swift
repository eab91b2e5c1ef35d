// SPDX-License-Identifier: Apache-2.0
import Dispatch
import Synchronization

/// Writes an upload's pieces to its data file in order, on a thread of its own, while the session hashes the
/// pieces that follow: hashing never waits for the disk, nor the disk for hashing.
///
/// At most `depth` pieces wait to be written (memory stays bounded: a producer that gets ahead waits). The first
/// failed write stops every later one and is thrown by the next `write` or `drain`; the data file then holds less
/// than the session hashed, so the session must be discarded.
///
/// It starts writeback as the file grows (`ProgressiveWriteback`), so the final fsync has little left.
final class WriteBehind: @unchecked Sendable {
    static let depth = 4

    private let file: FileDescriptor
    private let queue = DispatchQueue(label: "ocitool.upload.write")
    private let slots = DispatchSemaphore(value: WriteBehind.depth)
    private let group = DispatchGroup()
    private let failure = Mutex<LayoutError?>(nil)
    // Touched only on `queue`: `@unchecked Sendable` rests on that.
    private var end: Int64
    private var writeback: ProgressiveWriteback

    /// A writer appending to `file`, which holds `size` bytes already.
    init(file: FileDescriptor, size: Int64) {
        self.file = file
        self.end = size
        self.writeback = ProgressiveWriteback(size: size)
    }

    /// Queues `piece` after the pieces queued before it (waiting while `depth` pieces are queued).
    /// - Throws: the error of a failed earlier write.
    func write(_ piece: some UploadPiece) throws(LayoutError) {
        try check()
        slots.wait()
        queue.async(group: group) { [self] in
            defer { slots.signal() }
            guard failure.withLock({ $0 == nil }) else { return }
            let result = piece.withBytes { bytes in Result { () throws(LayoutError) in try file.writeAll(bytes) } }
            switch result {
            case .success:
                end += Int64(piece.count)
                writeback.advance(file, to: end)
            case .failure(let error):
                failure.withLock { $0 = $0 ?? error }
            }
        }
    }

    /// Waits until every queued piece is written.
    /// - Throws: the error of a failed write.
    func drain() throws(LayoutError) {
        group.wait()
        try check()
    }

    /// Waits until every queued piece is written, then makes the file durable.
    func sync() throws(LayoutError) {
        try drain()
        try file.sync()
    }

    /// The data file's size (after `drain`, what was written).
    func fileSize() throws(LayoutError) -> Int64 { try file.size() }

    private func check() throws(LayoutError) {
        if let error = failure.withLock({ $0 }) { throw error }
    }
}
