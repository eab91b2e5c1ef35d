// SPDX-License-Identifier: Apache-2.0
import Glibc
import Hummingbird
import Layout
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// A byte range of an open file as a response body, sent with `sendfile(2)` where the connection allows it.
///
/// Hummingbird's body writer only takes `ByteBuffer`s, so on a plain HTTP/1 connection the body bypasses it: once
/// Hummingbird has written the head, a NIO `FileRegion` is written from the HTTP/1 encoder's context, so it goes
/// straight to the socket (the head carries `Content-Length`, so the body needs no framing) and NIO sends it with
/// `sendfile(2)`; the response then ends through the writer as usual. No byte of the file passes through user space.
/// Everywhere else (TLS, where the bytes must be encrypted; HTTP/2; no channel at all, as in router tests) the
/// range is read on NIO's thread pool in `chunkSize` buffers and streamed through the writer.
///
/// The head and the region cannot overtake each other: the head is handed to the channel's event loop before the
/// body closure runs, and the region is written by a task submitted to that same loop afterwards.
///
/// Whatever is ever added to the pipeline below the HTTP/1 encoder must pass `IOData` through (as NIOSSL, which is
/// detected and avoided, does not).
struct FileRegionBody: Sendable {
    /// The open file; it is closed when the last copy of this body goes away.
    let file: Layout.FileDescriptor
    /// The bytes to send (inclusive).
    let range: ClosedRange<Int64>
    /// The connection, when known.
    let channel: (any Channel)?

    /// Size of the buffers of the streamed path.
    static let chunkSize = 1 << 20
    /// Bodies up to this size are read whole and sent in one write with the head.
    static let inlineLimit: Int64 = 64 << 10

    /// The number of bytes sent.
    var count: Int64 { range.upperBound - range.lowerBound + 1 }

    /// The response body: the range read whole when small, else sent from the file.
    func responseBody() throws(LayoutError) -> ResponseBody {
        if count <= FileRegionBody.inlineLimit {
            return ResponseBody(byteBuffer: try FileRegionBody.read(file, at: range.lowerBound, count: Int(count)))
        }
        return ResponseBody(contentLength: Int(count)) { writer in
            if let channel = self.channel, try await self.sendFile(on: channel) {
                // Sent.
            } else {
                try await self.stream(to: &writer)
            }
            try await writer.finish(nil)
        }
    }

    /// Writes the range as a `FileRegion` below the HTTP/1 encoder and waits until the socket took all of it.
    /// - Returns: false, having written nothing, when the connection is not plain HTTP/1.
    private func sendFile(on channel: any Channel) async throws -> Bool {
        let file = self.file
        let range = self.range
        return try await channel.eventLoop.flatSubmit { () -> EventLoopFuture<Bool> in
            guard let context = FileRegionBody.socketSideContext(of: channel) else {
                return channel.eventLoop.makeSucceededFuture(false)
            }
            // Borrowed: ownership goes back (without closing) once the write is over; `file` closes it.
            let handle = NIOFileHandle(_deprecatedTakingOwnershipOfDescriptor: file.raw)
            let region = FileRegion(
                fileHandle: handle, readerIndex: Int(range.lowerBound), endIndex: Int(range.upperBound) + 1)
            let written = context.writeAndFlush(NIOAny(IOData.fileRegion(region)))
            written.whenComplete { _ in _ = try? handle.takeDescriptorOwnership() }
            return written.map { true }
        }.get()
    }

    /// The HTTP/1 response encoder's context when only the socket lies below it; nil under TLS or without an
    /// HTTP/1 encoder. Call on the channel's event loop.
    static func socketSideContext(of channel: any Channel) -> ChannelHandlerContext? {
        let pipeline = channel.pipeline.syncOperations
        guard (try? pipeline.handler(type: NIOSSLHandler.self)) == nil else { return nil }
        return try? pipeline.context(handlerType: HTTPResponseEncoder.self)
    }

    /// Streams the range through the body writer, reading on NIO's thread pool.
    private func stream(to writer: inout any ResponseBodyWriter) async throws {
        let file = self.file
        var offset = range.lowerBound
        let end = range.upperBound + 1
        while offset < end {
            let length = Int(min(Int64(FileRegionBody.chunkSize), end - offset))
            let position = offset
            let buffer = try await NIOThreadPool.singleton.runIfActive {
                try FileRegionBody.read(file, at: position, count: length)
            }
            try await writer.write(buffer)
            offset += Int64(length)
        }
    }

    /// Reads exactly `count` bytes at `offset` into a new buffer.
    /// - Throws: `LayoutError.io` on a read error, or when the file ends early (blobs never shrink, but a broken
    ///   store must not make the server send fewer bytes than its `Content-Length` said).
    static func read(_ file: Layout.FileDescriptor, at offset: Int64, count: Int) throws(LayoutError) -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: count)
        var failure: Int32 = 0
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { bytes in
            guard let base = bytes.baseAddress else { return 0 }
            var done = 0
            while done < count {
                let result = pread(file.raw, base + done, count - done, off_t(offset) + off_t(done))
                if result > 0 {
                    done += result
                } else if result < 0, errno == EINTR {
                    continue
                } else {
                    failure = result < 0 ? errno : EIO  // EIO: the file ended early
                    break
                }
            }
            return done
        }
        guard failure == 0 else { throw .io("read", path: file.path, errno: failure) }
        return buffer
    }
}
