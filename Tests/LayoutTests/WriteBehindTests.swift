// SPDX-License-Identifier: Apache-2.0
import Foundation
import Glibc
import Testing

@testable import Layout

/// The upload writer that writes behind the hashing: pieces land in order, and a failed write is never lost.
@Suite("Layout: write-behind for uploads")
struct WriteBehindTests {
    @Test func piecesLandInOrderAfterTheBytesAlreadyThere() throws {
        let directory = LayoutFixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/data"
        #expect(FileManager.default.createFile(atPath: path, contents: Data("head".utf8)))
        let writer = WriteBehind(file: try FileDescriptor(path: path, flags: O_WRONLY | O_APPEND), size: 4)
        var expected = Data("head".utf8)
        for index in 0..<20 {
            let piece = [UInt8](repeating: UInt8(index), count: 100_000 + index)
            try writer.write(piece)
            expected.append(contentsOf: piece)
        }
        try writer.sync()
        #expect(FileManager.default.contents(atPath: path) == expected)
    }

    /// A write that fails (here: a descriptor not open for writing) is thrown by the next call, and every call
    /// after it: the session above it must not go on as if its bytes were on disk.
    @Test func aFailedWriteIsThrownByTheNextCallAndEveryLaterOne() throws {
        let directory = LayoutFixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/data"
        #expect(FileManager.default.createFile(atPath: path, contents: Data()))
        let writer = WriteBehind(file: try FileDescriptor(path: path, flags: O_RDONLY), size: 0)
        try writer.write([UInt8](repeating: 1, count: 10))
        #expect(throws: LayoutError.self) { try writer.drain() }
        #expect(throws: LayoutError.self) { try writer.write([UInt8](repeating: 2, count: 10)) }
        #expect(throws: LayoutError.self) { try writer.sync() }
        #expect(FileManager.default.contents(atPath: path)?.isEmpty == true)
    }
}
