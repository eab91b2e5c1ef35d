// SPDX-License-Identifier: Apache-2.0
import Layout
import NIOCore

/// A piece of a request body, as NIO read it, handed to an upload session (which keeps the buffer until the bytes
/// are written: no copy).
struct BodyPiece: UploadPiece {
    let buffer: ByteBuffer

    var count: Int { buffer.readableBytes }

    func withBytes<Result>(_ body: (UnsafeRawBufferPointer) -> Result) -> Result {
        buffer.withUnsafeReadableBytes(body)
    }
}
