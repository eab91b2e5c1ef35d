// SPDX-License-Identifier: Apache-2.0
import Foundation

/// A bounded buffer between a producer that pushes a blob's bytes (a registry GET's write callback) and a
/// consumer that pulls them (another registry's upload read callback), so a registry-to-registry copy streams
/// through constant memory with backpressure: the producer blocks when `capacity` bytes wait, the consumer
/// when none do.
///
/// The producer runs on its own thread, started by `start`. When the consumer closes the pipe early, the
/// producer's next write throws `SyncError.cancelled`, which aborts its download.
///
/// `@unchecked Sendable`: all state is guarded by `condition`.
final class BlobPipe: BlobStream, @unchecked Sendable {
    private let condition = NSCondition()
    private var chunks: [Data] = []
    private var head = 0
    private var headOffset = 0
    private var buffered = 0
    private let capacity: Int
    private var finished = false
    private var failure: SyncError?
    private var closed = false

    init(capacity: Int = 8 << 20) { self.capacity = capacity }

    /// Starts `produce` on a new thread, writing into a new pipe.
    static func start(capacity: Int = 8 << 20, _ produce: @escaping @Sendable (BlobPipe) throws(SyncError) -> Void)
        -> BlobPipe
    {
        let pipe = BlobPipe(capacity: capacity)
        let thread = Thread {
            do throws(SyncError) {
                try produce(pipe)
                pipe.finish(nil)
            } catch {
                pipe.finish(error)
            }
        }
        thread.name = "ocitool-blob-pipe"
        thread.start()
        return pipe
    }

    // MARK: - Producer

    /// Appends bytes, blocking while the pipe is full.
    /// - Throws: `SyncError.cancelled` when the consumer has closed the pipe.
    func write(_ bytes: UnsafeRawBufferPointer) throws(SyncError) {
        guard !bytes.isEmpty else { return }
        condition.lock()
        defer { condition.unlock() }
        while buffered >= capacity && !closed { condition.wait() }
        if closed { throw .cancelled }
        chunks.append(Data(bytes))
        buffered += bytes.count
        condition.broadcast()
    }

    /// Ends the stream, with the producer's error if it failed.
    func finish(_ error: SyncError?) {
        condition.lock()
        finished = true
        failure = error
        condition.broadcast()
        condition.unlock()
    }

    // MARK: - Consumer

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(SyncError) -> Int {
        condition.lock()
        defer { condition.unlock() }
        while buffered == 0 && !finished && !closed { condition.wait() }
        if buffered == 0 {
            if let failure { throw failure }
            return 0
        }
        var written = 0
        while written < buffer.count, head < chunks.count {
            let chunk = chunks[head]
            let count = min(buffer.count - written, chunk.count - headOffset)
            chunk.withUnsafeBytes { bytes in
                let source = UnsafeRawBufferPointer(rebasing: bytes[headOffset..<(headOffset + count)])
                UnsafeMutableRawBufferPointer(rebasing: buffer[written...]).copyMemory(from: source)
            }
            written += count
            headOffset += count
            if headOffset == chunk.count {
                head += 1
                headOffset = 0
            }
        }
        if head > 64 || head == chunks.count {
            chunks.removeFirst(head)
            head = 0
        }
        buffered -= written
        condition.broadcast()
        return written
    }

    func close() {
        condition.lock()
        closed = true
        chunks = []
        buffered = 0
        condition.broadcast()
        condition.unlock()
    }
}
