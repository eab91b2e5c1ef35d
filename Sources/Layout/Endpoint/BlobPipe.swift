// SPDX-License-Identifier: Apache-2.0
import Foundation

/// A bounded buffer between a producer that pushes a blob's bytes (a registry GET's write callback) and a
/// consumer that pulls them (another registry's upload read callback), so a registry-to-registry copy streams
/// through constant memory with backpressure: the producer blocks when `capacity` bytes wait, the consumer
/// when none do.
///
/// The bytes go through one ring buffer allocated once (no allocation per piece: a GiB arrives in tens of
/// thousands of socket reads). 2 MiB holds four of the consumer's 512 KiB reads, enough to keep both
/// transfers busy; each pipe is one transfer of `jobs`, so the copy's memory stays a few MiB per job.
///
/// The producer runs on its own thread, started by `start`. When the consumer closes the pipe early, the
/// producer's next write throws `LayoutError.cancelled`, which aborts its download.
///
/// A side that waits is woken only once a quarter of the ring is there for it (bytes to read, room to write) or
/// the stream ends: a GiB arriving in 64 KiB socket reads costs a few thousand wake-ups, not tens of thousands of
/// context switches.
///
/// `@unchecked Sendable`: all state is guarded by `condition`.
package final class BlobPipe: BlobStream, @unchecked Sendable {
    /// The default capacity.
    package static let defaultCapacity = 2 << 20

    private let condition = NSCondition()
    private let ring: UnsafeMutableRawBufferPointer
    /// Where the next byte is read.
    private var head = 0
    /// Bytes waiting, from `head` on (wrapping around).
    private var buffered = 0
    private var finished = false
    private var failure: (any Error)?
    private var closed = false
    /// Whether the consumer waits for bytes, or the producer for room.
    private var consumerWaits = false
    private var producerWaits = false
    /// What a waiting side is woken for: this many bytes to read, or this much room to write.
    private var batch: Int { max(1, ring.count / 4) }

    package init(capacity: Int = BlobPipe.defaultCapacity) {
        ring = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, capacity), alignment: 64)
    }

    deinit { ring.deallocate() }

    /// Starts `produce` on a new thread, writing into a new pipe.
    package static func start(
        capacity: Int = BlobPipe.defaultCapacity, _ produce: @escaping @Sendable (BlobPipe) throws -> Void
    ) -> BlobPipe {
        let pipe = BlobPipe(capacity: capacity)
        let thread = Thread {
            do {
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
    /// - Throws: `LayoutError.cancelled` when the consumer has closed the pipe.
    package func write(_ bytes: UnsafeRawBufferPointer) throws(LayoutError) {
        var remaining = bytes
        condition.lock()
        defer { condition.unlock() }
        while !remaining.isEmpty {
            while buffered == ring.count && !closed {
                producerWaits = true
                condition.wait()
                producerWaits = false
            }
            if closed { throw .cancelled }
            let tail = (head + buffered) % ring.count
            let count = min(remaining.count, ring.count - buffered, ring.count - tail)
            UnsafeMutableRawBufferPointer(rebasing: ring[tail..<(tail + count)])
                .copyMemory(from: UnsafeRawBufferPointer(rebasing: remaining[..<count]))
            buffered += count
            remaining = UnsafeRawBufferPointer(rebasing: remaining[count...])
            if consumerWaits, buffered >= batch { condition.broadcast() }
        }
    }

    /// Ends the stream, with the producer's error if it failed.
    package func finish(_ error: (any Error)?) {
        condition.lock()
        finished = true
        failure = error
        condition.broadcast()
        condition.unlock()
    }

    // MARK: - Consumer

    package func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        condition.lock()
        defer { condition.unlock() }
        while buffered == 0 && !finished && !closed {
            consumerWaits = true
            condition.wait()
            consumerWaits = false
        }
        if buffered == 0 {
            if let failure { throw failure }
            return 0
        }
        var written = 0
        while written < buffer.count, buffered > 0 {
            let count = min(buffer.count - written, buffered, ring.count - head)
            UnsafeMutableRawBufferPointer(rebasing: buffer[written..<(written + count)])
                .copyMemory(from: UnsafeRawBufferPointer(rebasing: ring[head..<(head + count)]))
            written += count
            head = (head + count) % ring.count
            buffered -= count
        }
        if producerWaits, ring.count - buffered >= batch { condition.broadcast() }
        return written
    }

    package func close() {
        condition.lock()
        closed = true
        buffered = 0
        condition.broadcast()
        condition.unlock()
    }
}
