// SPDX-License-Identifier: Apache-2.0
import NIOCore
import NIOHTTPTypes

/// Lets a connection read up to 256 KiB from its socket at once, where NIO's default stops at 64 KiB.
///
/// An upload then arrives in fewer, larger pieces, and an upload session hashes a large piece as it is and
/// writes it behind, without gathering it first (blob PUT about 10% faster here; 1 MiB reads measured no
/// faster). The read size adapts: it grows only while reads fill the buffer. Memory stays bounded: NIO keeps at
/// most 4 read buffers per connection (1 MiB once they have grown, until the connection closes), and the request
/// body stream queues at most 10 pieces.
final class ReadSizeHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    static let maximumRead = 256 << 10

    func handlerAdded(context: ChannelHandlerContext) {
        let allocator = AdaptiveRecvByteBufferAllocator(
            minimum: 64, initial: 2048, maximum: ReadSizeHandler.maximumRead)
        _ = context.channel.setOption(ChannelOptions.recvAllocator, value: allocator)
    }
}
