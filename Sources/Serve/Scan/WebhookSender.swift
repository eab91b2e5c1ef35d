// SPDX-License-Identifier: Apache-2.0
import Foundation
import Logging
import NIOCore
import NIOPosix

/// A webhook's address: `http://HOST[:PORT]/PATH` (plain HTTP only).
struct WebhookTarget: Sendable, Equatable {
    var host: String
    var port: Int
    var path: String

    init?(_ url: String) {
        guard url.lowercased().hasPrefix("http://") else { return nil }
        let rest = url.dropFirst("http://".count)
        let authority = rest.prefix { $0 != "/" }
        let path = rest.dropFirst(authority.count)
        guard !authority.isEmpty, !authority.contains("@") else { return nil }
        var host = String(authority)
        var port = 80
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":"), let value = Int(after.dropFirst()), (1...65535).contains(value) else { return nil }
                port = value
            }
        } else if let colon = authority.lastIndex(of: ":") {
            guard let value = Int(authority[authority.index(after: colon)...]), (1...65535).contains(value) else {
                return nil
            }
            host = String(authority[..<colon])
            port = value
        }
        guard !host.isEmpty else { return nil }
        self.host = host
        self.port = port
        self.path = path.isEmpty ? "/" : String(path)
    }
}

/// POSTs JSON to the configured webhook in the background: one HTTP/1.1 request per connection over NIO (Serve
/// has no HTTP client library), a 2xx answer within 10 seconds is a delivery; otherwise it is retried
/// `retries` times with a doubling delay (each retry counted), then given up (counted as failed). Never awaited by a
/// request.
struct WebhookSender: Sendable {
    let settings: ScanSettings.Webhook
    let target: WebhookTarget
    let metrics: ServeMetrics
    let logger: Logger

    init?(_ settings: ScanSettings.Webhook, metrics: ServeMetrics, logger: Logger) {
        guard let target = WebhookTarget(settings.url) else { return nil }
        self.settings = settings
        self.target = target
        self.metrics = metrics
        self.logger = logger
    }

    /// Delivers `body` in a background task.
    func send(_ body: Data) {
        Task.detached { await deliver(body) }
    }

    /// Delivers `body`, retrying; returns whether a 2xx answer came.
    @discardableResult
    func deliver(_ body: Data) async -> Bool {
        var delay = settings.backoff
        for attempt in 0...settings.retries {
            if attempt > 0 {
                metrics.webhookRetry()
                try? await Task.sleep(for: delay)
                delay *= 2
            }
            do {
                let status = try await WebhookSender.post(body, to: target)
                if (200..<300).contains(status) {
                    metrics.webhook(result: "delivered")
                    return true
                }
                logger.warning("scan webhook answered \(status)", metadata: ["url": "\(settings.url)", "attempt": "\(attempt + 1)"])
            } catch {
                logger.warning("scan webhook failed: \(error)", metadata: ["url": "\(settings.url)", "attempt": "\(attempt + 1)"])
            }
        }
        metrics.webhook(result: "failed")
        return false
    }

    /// One POST; the answer's status code.
    static func post(_ body: Data, to target: WebhookTarget) async throws -> Int {
        let hostHeader = target.host.contains(":") ? "[\(target.host)]:\(target.port)" : "\(target.host):\(target.port)"
        var request = ByteBuffer()
        request.writeString(
            "POST \(target.path) HTTP/1.1\r\nHost: \(hostHeader)\r\nUser-Agent: ocitool-serve\r\n"
                + "Content-Type: application/json\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n")
        request.writeBytes(body)
        let group = MultiThreadedEventLoopGroup.singleton
        let promise = group.next().makePromise(of: ByteBuffer.self)
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: group)
                .connectTimeout(.seconds(10))
                .channelInitializer { channel in
                    channel.pipeline.addHandler(ResponseCollector(promise: promise))
                }
                .connect(host: target.host, port: target.port).get()
        } catch {
            promise.fail(error)
            throw error
        }
        channel.eventLoop.scheduleTask(in: .seconds(10)) { channel.close(promise: nil) }
        try await channel.writeAndFlush(request).get()
        let response = try await promise.futureResult.get()
        let head = String(buffer: response).prefix { $0 != "\r" && $0 != "\n" }
        let parts = head.split(separator: " ")
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else {
            throw WebhookError(message: "no HTTP answer from \(target.host):\(target.port)")
        }
        return status
    }
}

struct WebhookError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// Collects what the server sends until it closes the connection (the request asked for `Connection: close`),
/// at most 64 KiB.
private final class ResponseCollector: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    private let promise: EventLoopPromise<ByteBuffer>
    private var collected = ByteBuffer()
    private var finished = false

    init(promise: EventLoopPromise<ByteBuffer>) { self.promise = promise }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var part = unwrapInboundIn(data)
        if collected.readableBytes < 65536 { collected.writeBuffer(&part) }
        // The status line is all that is needed: stop once the head is complete.
        if !finished, collected.readableBytesView.firstRange(of: Array("\r\n\r\n".utf8)) != nil {
            finished = true
            promise.succeed(collected)
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !finished { promise.succeed(collected) }
        finished = true
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if !finished { promise.fail(error) }
        finished = true
        context.close(promise: nil)
    }
}
