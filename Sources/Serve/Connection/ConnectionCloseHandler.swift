// SPDX-License-Identifier: Apache-2.0
import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Closes the connection after a response that says `Connection: close` (Hummingbird keeps it open for the next
/// request, reading whatever the client still sends until the idle timeout).
///
/// Such a response refuses a request before reading its body (a manifest over the size cap) or answers one
/// that cannot be framed (`MalformedRequestHandler`). Once it has been sent, the server closes its sending side
/// (the client reads the answer, then the end of the stream), then reads and drops at most `drainLimit` bytes
/// for at most `drainTime` before closing the connection: a connection closed with unread input is reset, and a
/// reset arriving before the client has read the answer would destroy it.
final class ConnectionCloseHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// The most request bytes read (and dropped) after the last response.
    static let drainLimit = 4 << 20
    /// The longest the connection stays open after the last response.
    static let drainTime = TimeAmount.seconds(5)

    /// The response being written said `Connection: close`.
    private var closeAfterResponse = false
    /// The last response is out: input is read only to be dropped.
    private var draining = false
    private var drained = 0
    private var deadline: Scheduled<Void>?

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let response) where response.status.kind != .informational:
            closeAfterResponse = response.headerFields[.connection]?.lowercased() == "close"
            context.write(data, promise: promise)
        case .end where closeAfterResponse:
            closeAfterResponse = false
            draining = true
            let written = promise ?? context.eventLoop.makePromise()
            context.writeAndFlush(data, promise: written)
            written.futureResult.assumeIsolated().whenComplete { _ in self.closeOutput(context) }
        default:
            context.write(data, promise: promise)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard draining else {
            context.fireChannelRead(data)
            return
        }
        if case .body(let buffer) = unwrapInboundIn(data) { drained += buffer.readableBytes }
        if drained > ConnectionCloseHandler.drainLimit { context.close(promise: nil) }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Input after the last response is dropped, undecodable or not.
        if !draining { context.fireErrorCaught(error) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
    }

    /// Ends the stream to the client (the whole connection where half-closing is not possible), and closes the
    /// connection after `drainTime` at the latest.
    private func closeOutput(_ context: ChannelHandlerContext) {
        guard context.channel.isActive else { return }
        let closed = context.eventLoop.makePromise(of: Void.self)
        context.close(mode: .output, promise: closed)
        closed.futureResult.assumeIsolated().whenFailure { _ in context.close(promise: nil) }
        deadline = context.eventLoop.assumeIsolated().scheduleTask(in: ConnectionCloseHandler.drainTime) {
            context.close(promise: nil)
        }
    }
}
