// SPDX-License-Identifier: Apache-2.0
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOConcurrencyHelpers

/// The outermost middleware: gives every request an id (the client's `X-Request-Id` when it is sane, else a new
/// one), returned as `X-Request-Id` and carried by every log line of the request; when the response body has
/// been written (or failed), counts the request in the metrics and writes one access log line: time, request
/// id, method, route kind, repository, status, bytes in and out, duration, client and user.
struct AccessLogMiddleware: RouterMiddleware {
    typealias Context = RegistryRequestContext

    /// Where access lines go; nil for none.
    let logger: Logger?
    let metrics: ServeMetrics?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        let start = ContinuousClock.now
        let id = AccessLogMiddleware.requestID(request.headers[.xRequestID])
        var context = context
        context.logger[metadataKey: "request_id"] = "\(id)"
        let path = request.uri.path
        let (kind, repository) = RouteKind.of(path: path)
        let isUpload = kind == .upload && request.method != .get && request.method != .head
        var request = request
        let received = ByteCounter()
        if let length = request.headers[.contentLength].flatMap({ Int64($0) }) {
            received.add(length)
        } else if request.method != .get, request.method != .head {
            let body = request.body
            request.body = RequestBody(
                asyncSequence: body.map { buffer in
                    received.add(Int64(buffer.readableBytes))
                    return buffer
                })
        }
        if isUpload { metrics?.uploadInFlight(1) }
        defer { if isUpload { metrics?.uploadInFlight(-1) } }
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            // The error middleware inside answers every error; this is only a safety net.
            finish(
                Line(
                    id: id, method: request.method.rawValue, kind: kind, path: path, repository: repository,
                    status: 500, bytesIn: received.value, bytesOut: 0, client: context.client,
                    user: context.state.user),
                start: start)
            throw error
        }
        response.headers[.xRequestID] = id
        let line = Line(
            id: id, method: request.method.rawValue, kind: kind, path: path, repository: repository,
            status: response.status.code, bytesIn: received.value,
            bytesOut: request.method == .head ? 0 : Int64(response.body.contentLength ?? 0), client: context.client,
            user: context.state.user)
        // Small responses are logged now (their bodies are single buffers that Hummingbird writes in one go);
        // blob downloads once their body has been sent, so their duration covers the transfer.
        guard kind == .blob, request.method == .get else {
            finish(line, start: start)
            return response
        }
        let body = response.body
        response.body = ResponseBody(contentLength: body.contentLength) { writer in
            let sent = ByteCounter()
            do {
                try await body.write(CountingBodyWriter(parent: writer, counter: sent))
            } catch {
                // A download that broke off: what was sent before it did.
                var incomplete = line
                incomplete.bytesOut = sent.value
                finish(incomplete, start: start, failed: true)
                throw error
            }
            finish(line, start: start)
        }
        return response
    }

    /// One access log line's fields.
    struct Line: Sendable {
        let id: String
        let method: String
        let kind: RouteKind
        let path: String
        let repository: String?
        let status: Int
        var bytesIn: Int64
        var bytesOut: Int64
        let client: String
        let user: String?
    }

    private func finish(_ line: Line, start: ContinuousClock.Instant, failed: Bool = false) {
        let duration = ContinuousClock.now - start
        metrics?.request(
            kind: line.kind, method: line.method, status: line.status, duration: duration, bytesIn: line.bytesIn,
            bytesOut: line.bytesOut)
        guard let accessLogger = self.logger else { return }
        var metadata: Logger.Metadata = [
            "request_id": "\(line.id)", "method": "\(line.method)", "kind": "\(line.kind.rawValue)",
            "path": "\(line.path)", "status": .stringConvertible(line.status),
            "bytes_in": .stringConvertible(line.bytesIn), "bytes_out": .stringConvertible(line.bytesOut),
            "duration_ms": .stringConvertible((duration.seconds * 1e6).rounded() / 1e3), "client": "\(line.client)",
        ]
        if let repository = line.repository { metadata["repository"] = "\(repository)" }
        if let user = line.user { metadata["user"] = "\(user)" }
        if failed { metadata["error"] = "response body not completely sent" }
        let quiet = line.kind == .other && ["/healthz", "/readyz", "/metrics"].contains(line.path)
        accessLogger.log(level: quiet ? .debug : .info, "request", metadata: metadata)
    }

    /// The client's request id when it is 1 to 128 of `[A-Za-z0-9._-]`, else 16 random bytes in hex.
    static func requestID(_ offered: String?) -> String {
        if let offered, (1...128).contains(offered.utf8.count),
            offered.utf8.allSatisfy({
                $0.isASCIIAlphanumeric || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".")
            })
        {
            return offered
        }
        var generator = SystemRandomNumberGenerator()
        let high = UInt64.random(in: .min ... .max, using: &generator)
        let low = UInt64.random(in: .min ... .max, using: &generator)
        return String(high, radix: 16).leftPadded(16) + String(low, radix: 16).leftPadded(16)
    }
}

/// A byte count updated while a request body streams.
final class ByteCounter: Sendable {
    private let count = NIOLockedValueBox<Int64>(0)
    func add(_ bytes: Int64) { count.withLockedValue { $0 += bytes } }
    var value: Int64 { count.withLockedValue { $0 } }
}

extension UInt8 {
    var isASCIIAlphanumeric: Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(self)
            || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(self)
    }
}

extension String {
    /// Left-padded with zeros to `length` characters (hex numbers in ids, escapes and JSON).
    func leftPadded(_ length: Int) -> String {
        count >= length ? self : String(repeating: "0", count: length - count) + self
    }
}

extension HTTPField.Name {
    /// The request id, echoed or made up.
    static let xRequestID = HTTPField.Name("X-Request-Id")!
}
