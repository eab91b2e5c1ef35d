// SPDX-License-Identifier: Apache-2.0
import HTTPTypes
import Layout
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1

/// Gives what NIO's HTTP/1 decoder refuses an answer in the OCI error envelope, where Hummingbird answers an
/// empty 400 between requests and hands a route reading a body a bare `HTTPParserError` (which became a 500).
///
/// - Between requests (a bad request line, header or `Content-Length`, an unknown or lowercase method, another
///   HTTP version, a bad target, an oversized header section) no route runs: this handler answers with the
///   envelope itself, once the responses to earlier requests have ended.
/// - During a request (a bad chunk, a body cut short, a `Transfer-Encoding` other than `chunked`) the route
///   reading the body gets `MalformedRequest` and answers it through `OCIErrorMiddleware` like any error.
///
/// Either way nothing after the malformed bytes can be framed: the rest of the input is dropped, the answer
/// says `Connection: close`, and `ConnectionCloseHandler` (which must sit before this handler) closes the
/// connection once it is sent. A `Transfer-Encoding` naming any coding but `chunked` is refused as soon as its
/// head arrives (RFC 9112 §6.1: 501), even where the decoder could frame the body: the route would read bytes
/// still encoded. `CONNECT` (no route; the decoder reads nothing after it) gets 405 here, written below NIO's
/// encoder, which would drop the body of any answer to it.
final class MalformedRequestHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// Requests whose head was read and whose response has not ended.
    private var unanswered = 0
    /// Whether a request's head was read and its end not yet.
    private var inRequest = false
    /// The connection can carry no further request: a malformed one was met.
    private var failed = false
    /// The answer to a malformed request met between requests, sent once the earlier responses have ended.
    private var pending: OCIError?
    /// The pending answer is to CONNECT.
    private var connect = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !failed else { return }  // bytes after malformed ones frame nothing
        let part = unwrapInboundIn(data)
        switch part {
        case .head(let request) where request.method == .connect:
            // Not for a registry; and the decoder reads nothing after it (it expects a tunnel).
            failed = true
            pending = OCIError(
                .unsupported, "CONNECT is not supported: this server is a registry, not a proxy",
                status: .methodNotAllowed, headers: [.allow: "GET, HEAD, PUT, POST, PATCH, DELETE"])
            connect = true
            if unanswered == 0 { answerPending(context) }
        case .head(let request):
            unanswered += 1
            inRequest = true
            context.fireChannelRead(data)
            if let value = request.headerFields[.transferEncoding],
                !MalformedRequest.unsupportedCodings(value).isEmpty
            {
                fail(.transferEncoding(value), context: context)
            }
        case .body:
            context.fireChannelRead(data)
        case .end:
            inRequest = false
            context.fireChannelRead(data)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        switch error {
        case let error as HTTPParserError where !failed:
            fail(.parser(error), context: context)
        case let error as HTTP1TypeConversionError where !failed:
            fail(.conversion("\(error)"), context: context)
        case is HTTPParserError, is HTTP1TypeConversionError, is ByteToMessageDecoderError:
            // After its first error the decoder refuses everything: that error was answered.
            if !failed { context.fireErrorCaught(error) }
        default:
            context.fireErrorCaught(error)
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(var response) where failed && pending == nil && response.status.kind != .informational:
            // The route's answer to the request found malformed while it ran: the connection ends after it.
            response.headerFields[.connection] = "close"
            context.write(wrapOutboundOut(.head(response)), promise: promise)
        case .end:
            context.write(data, promise: promise)
            unanswered = max(unanswered - 1, 0)
            if unanswered == 0 { answerPending(context) }
        default:
            context.write(data, promise: promise)
        }
    }

    /// Stops reading and has the malformed request answered: by the route reading its body, or here.
    private func fail(_ error: MalformedRequest, context: ChannelHandlerContext) {
        failed = true
        guard !inRequest else {
            context.fireErrorCaught(error)
            return
        }
        pending = OCIError(error)
        if unanswered == 0 { answerPending(context) }
    }

    /// Writes the pending answer (whole, flushed) with `Connection: close`.
    private func answerPending(_ context: ChannelHandlerContext) {
        guard let error = pending else { return }
        pending = nil
        let body = error.body
        var fields = error.headers
        fields[.contentType] = "application/json"
        fields[.contentLength] = String(body.readableBytes)
        fields[.connection] = "close"
        fields[.dockerDistributionAPIVersion] = "registry/2.0"
        guard !connect else {
            MalformedRequestHandler.writeBelowEncoder(HTTPResponse(status: error.status, headerFields: fields), body, context)
            return
        }
        context.write(wrapOutboundOut(.head(HTTPResponse(status: error.status, headerFields: fields))), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    /// Writes a whole response as bytes below the HTTP/1 encoder, then closes the connection. NIO's encoder sends
    /// no body with any answer to CONNECT (HTTP allows one with a refusal) and drops its `Content-Length`, which
    /// would leave the client reading until the connection closes.
    private static func writeBelowEncoder(_ head: HTTPResponse, _ body: ByteBuffer, _ context: ChannelHandlerContext) {
        guard let encoder = try? context.pipeline.syncOperations.context(handlerType: HTTPResponseEncoder.self) else {
            context.close(promise: nil)
            return
        }
        var text = "HTTP/1.1 \(head.status.code) \(head.status.reasonPhrase)\r\n"
        for field in head.headerFields { text += "\(field.name.rawName): \(field.value)\r\n" }
        var bytes = ByteBuffer(string: text + "\r\n")
        bytes.writeImmutableBuffer(body)
        encoder.writeAndFlush(NIOAny(bytes)).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }
}
