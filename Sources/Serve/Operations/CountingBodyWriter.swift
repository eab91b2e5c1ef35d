// SPDX-License-Identifier: Apache-2.0
import HTTPTypes
import Hummingbird
import NIOCore

/// A response body writer that counts the bytes it hands on, so a download that breaks off is logged and
/// counted with what was sent before it did.
///
/// A count is of bytes the connection accepted: NIO may still hold up to its write buffer of them when the
/// client vanishes. Bytes a `BlobBody` sends with `sendfile(2)` bypass the writer and are not counted.
struct CountingBodyWriter: ResponseBodyWriter {
    var parent: any ResponseBodyWriter
    let counter: ByteCounter

    mutating func write(_ buffer: ByteBuffer) async throws {
        let count = buffer.readableBytes
        try await parent.write(buffer)
        counter.add(Int64(count))
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {
        try await parent.finish(trailingHeaders)
    }
}
