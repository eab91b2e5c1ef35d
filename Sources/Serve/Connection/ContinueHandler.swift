// SPDX-License-Identifier: Apache-2.0
import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Answers `Expect: 100-continue` with `100 Continue` as soon as the request may send its body.
///
/// A client that sends the expectation holds its body back until it hears from the server: curl (and so libcurl
/// clients) does for any body over 1 MiB, and waits a whole second before sending anyway. Routes read bodies as
/// they stream, so there is never a reason to make the client wait. (A request that is then refused, such as a
/// push the access rules forbid, still gets its final answer; the client may stop sending once it reads it.)
///
/// On a connection with pipelined requests, the interim answer must not land inside the response to an earlier
/// request: it goes out when the request's head arrives if no earlier response is unfinished, else right after
/// the earlier responses end.
///
/// When the server requires credentials, a `/v2/` request without `Authorization` gets no `100 Continue`: only
/// authenticated users may write, so its final answer is 401, and the client learns it before sending its body
/// (a forgotten login does not cost a gigabyte of upload first).
final class ContinueHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// For each request whose response has not ended, oldest first: whether it still waits for `100 Continue`.
    private var unanswered: [Bool] = []
    private let credentialsRequired: Bool

    /// - Parameter credentialsRequired: whether the server authenticates clients (only authenticated users write).
    init(credentialsRequired: Bool) {
        self.credentialsRequired = credentialsRequired
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head(let request) = unwrapInboundIn(data) {
            let expects = request.headerFields[.expect]?.lowercased() == "100-continue"
            let refused =
                credentialsRequired && request.headerFields[.authorization] == nil
                && request.path?.hasPrefix("/v2/") == true
            unanswered.append(expects && !refused)
            if unanswered.count == 1, unanswered[0] { sendContinue(context) }
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        context.write(data, promise: promise)
        guard case .end = unwrapOutboundIn(data), !unanswered.isEmpty else { return }
        unanswered.removeFirst()
        if unanswered.first == true { sendContinue(context) }
    }

    /// Writes `100 Continue` for the oldest unfinished request (flushed: the client is waiting for it).
    private func sendContinue(_ context: ChannelHandlerContext) {
        unanswered[0] = false
        context.writeAndFlush(wrapOutboundOut(.head(HTTPResponse(status: .continue))), promise: nil)
    }
}
