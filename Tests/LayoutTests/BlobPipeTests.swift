// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing

@testable import Layout

/// The pipe between a blob's producer and its consumer on other threads: every byte arrives once and in order,
/// whatever the pieces' sizes against the ring's and the wake-up batch's, and a consumer is never left waiting
/// for bytes that are there once the producer is done.
@Suite("Blob pipe")
struct BlobPipeTests {
    /// Pushes `content` in pieces of `piece` bytes through a ring of `capacity`, read `read` bytes at a time.
    static func roundTrip(_ content: [UInt8], capacity: Int, piece: Int, read: Int) throws -> [UInt8] {
        let pipe = BlobPipe.start(capacity: capacity) { (pipe) in
            var offset = 0
            while offset < content.count {
                let end = min(offset + piece, content.count)
                try content[offset..<end].withUnsafeBytes { try pipe.write($0) }
                offset = end
            }
        }
        var received: [UInt8] = []
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: read, alignment: 16)
        defer { buffer.deallocate() }
        while case let count = try pipe.read(into: buffer), count > 0 {
            received += UnsafeRawBufferPointer(rebasing: buffer[..<count])
        }
        return received
    }

    @Test(arguments: [
        (piece: 7, read: 4096),  // pieces far below the wake-up batch, ended by the producer finishing
        (piece: 65536, read: 1024),  // a producer that fills the ring and waits for room freed in small reads
        (piece: 3000, read: 5000),  // sizes that straddle the ring's wrap-around
    ])
    func everyByteArrivesOnceInOrder(piece: Int, read: Int) throws {
        let content = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ $0 >> 9) }
        #expect(try Self.roundTrip(content, capacity: 16 << 10, piece: piece, read: read) == content)
    }

    @Test func aFewBytesAndTheEndWakeTheConsumer() throws {
        #expect(try Self.roundTrip([1, 2, 3], capacity: 2 << 20, piece: 3, read: 1 << 20) == [1, 2, 3])
        #expect(try Self.roundTrip([], capacity: 2 << 20, piece: 1, read: 1 << 20) == [])
    }
}
