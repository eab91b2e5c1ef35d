// SPDX-License-Identifier: Apache-2.0
import CurlTransport
import Foundation
import Layout

extension RegistryClient {
    /// Largest error body kept for a message (as containerization does).
    static let errorBodyLimit = 1 << 20

    /// Sends a request with authentication, retrying network errors, 429 and 5xx (honouring `Retry-After`).
    /// The body must be re-sendable (`.none` or `.data`); streamed bodies go through `exchange` inside the
    /// caller's own retry loop.
    /// - Returns: the response, whatever its status (below 500 and not 429).
    func send(_ request: RegistryRequest, _ handling: ResponseHandling = .collect(limit: errorBodyLimit))
        throws(SyncError) -> RegistryResponse
    {
        try withRetries { (retryAfter) throws(SyncError) in
            let response = try exchange(request, handling)
            try checkTransient(response, context: request.context, retryAfter: &retryAfter)
            return response
        }
    }

    /// Throws a retryable error for 429 and 5xx, noting the server's `Retry-After`.
    func checkTransient(_ response: RegistryResponse, context: String, retryAfter: inout Double?) throws(SyncError) {
        guard response.status == 429 || response.status >= 500 else { return }
        retryAfter = RetryPolicy.parseRetryAfter(response.headers["Retry-After"])
        throw failure(response, context: context)
    }

    /// Runs `attempt` until it succeeds, it throws a non-retryable error, or the attempts are used up. An
    /// attempt that moved `progress` forward (a resumed download) does not count against the limit.
    /// - Parameters:
    ///   - progress: how far the operation has got, e.g. bytes delivered.
    ///   - attempt: sets its `inout` argument to the server's `Retry-After` before throwing, when there is one.
    func withRetries<T>(
        progress: () -> Int64 = { 0 }, _ attempt: (inout Double?) throws(SyncError) -> T
    ) throws(SyncError) -> T {
        var failures = 0
        while true {
            let before = progress()
            var retryAfter: Double?
            do throws(SyncError) { return try attempt(&retryAfter) } catch {
                if progress() > before { failures = 0 }
                failures += 1
                guard error.isRetryable, failures < configuration.retry.maxAttempts else { throw error }
                let delay = configuration.retry.delay(after: failures, retryAfter: retryAfter)
                if delay > 0 { Thread.sleep(forTimeInterval: delay) }
            }
        }
    }

    /// One request with authentication: adds the authorization the scopes need (fetching a token when the
    /// registry's challenge is known), and on a 401 answers the challenge once and sends the request again.
    /// A URL elsewhere than the registry's own scheme, host and port (an upload `Location` or a `Link` pointing
    /// at object storage) gets no authorization: the registry's credentials are for the registry only.
    /// - Throws: `.authenticationFailed` when the registry still answers 401 (`.accessDenied` when its token
    ///   lacks the scope); transport errors.
    func exchange(_ request: RegistryRequest, _ handling: ResponseHandling) throws(SyncError) -> RegistryResponse {
        var request = request
        if fellBackToHTTP.current { request.url = plainHTTPURL(request.url) ?? request.url }
        let authenticate = request.authenticate && isRegistryOrigin(request.url)
        var answered = false
        while true {
            let authorization = authenticate ? try self.authorization(for: request.scopes) : nil
            if fellBackToHTTP.current { request.url = plainHTTPURL(request.url) ?? request.url }
            let response: RegistryResponse
            let bodyStarted: Bool
            do throws(SyncError) {
                (response, bodyStarted) = try performOnce(request, authorization: authorization, handling: handling)
            } catch .transfer(_, let curl) where curl.code == CurlError.tlsConnectError && configuration.insecure {
                // An insecure registry that does not speak TLS: plain HTTP from now on (as docker does).
                guard let plain = plainHTTPURL(request.url) else { throw .transfer(host: registry, curl) }
                fellBackToHTTP.withLock { $0 = true }
                request.url = plain
                continue
            }
            guard response.status == 401, authenticate else { return response }
            guard !answered else { throw rejected(response, scopes: request.scopes) }
            answered = true
            try answerChallenge(response, scopes: request.scopes, rejected: authorization)
            if bodyStarted {
                // The stream cannot be rewound; the caller's retry loop reopens it.
                throw .transfer(host: registry, CurlError(code: 65, message: "re-authentication needed mid-upload"))
            }
        }
    }

    /// `url` with `http://` for `https://` when it is on the registry's own host; nil for any other URL.
    private func plainHTTPURL(_ url: String) -> String? {
        let secure = "https://\(apiHost)/"
        guard url.hasPrefix(secure) else { return nil }
        return "http://\(apiHost)/" + url.dropFirst(secure.count)
    }

    /// Whether `url` has the scheme, host and port of `baseURL` (default ports made explicit).
    func isRegistryOrigin(_ url: String) -> Bool {
        func origin(_ text: String) -> String? {
            guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
                let host = components.host?.lowercased()
            else { return nil }
            let port = components.port ?? (scheme == "https" ? 443 : scheme == "http" ? 80 : -1)
            return "\(scheme)://\(host):\(port)"
        }
        guard let wanted = origin(baseURL) else { return false }
        return origin(url) == wanted
    }

    /// One HTTP exchange on a pooled handle.
    /// - Returns: the response, and whether any of a streamed request body was read.
    private func performOnce(_ request: RegistryRequest, authorization: String?, handling: ResponseHandling)
        throws(SyncError) -> (RegistryResponse, Bool)
    {
        var headers = request.headers
        if let authorization { headers.append("Authorization: \(authorization)") }
        var curlRequest = CurlRequest(
            method: request.method, url: request.url, headers: headers, transport: configuration.transport, tls: tls)
        curlRequest.followRedirects = request.followRedirects
        let sender = BodySender(request.body)
        curlRequest.uploadLength = sender.length ?? (["POST", "PUT", "PATCH"].contains(request.method) ? 0 : nil)
        let collector = BodyCollector(handling, host: registry)
        return try withHandle { (easy) throws(SyncError) -> (RegistryResponse, Bool) in
            let head: CurlEasy.Response
            do throws(CurlError) {
                head = try easy.perform(curlRequest, receive: collector.receive, send: sender.send)
            } catch {
                if let failure = collector.failure ?? sender.failure { throw failure }
                throw error.isUnreachable ? .unreachable(host: registry, error) : .transfer(host: registry, error)
            }
            if let failure = collector.failure ?? sender.failure { throw failure }
            let response = RegistryResponse(status: head.status, headers: head.headers, body: collector.data)
            return (response, sender.sent > 0)
        }
    }

    /// The error for a response that was not what the operation needed: the error envelope's codes and
    /// messages, or the start of the body.
    func failure(_ response: RegistryResponse, context: String) -> SyncError {
        let (codes, message) = RegistryClient.describeErrorBody(response.body)
        // A 403 the registry explains as DENIED (not one from object storage a download was redirected to).
        if response.status == 403, codes.contains(.denied), let user = configuration.credentials?.username {
            return .accessDenied(
                host: registry, reason: "\(context): refused to \(user)" + (message.isEmpty ? "" : " (\(message))"))
        }
        return .registry(host: registry, status: response.status, codes: codes, message: message, context: context)
    }

    /// Decodes `{"errors":[{"code","message","detail"}]}` leniently (unknown codes are kept in the text).
    static func describeErrorBody(_ body: Data) -> ([DistributionErrorCode], String) {
        guard !body.isEmpty else { return ([], "") }
        if let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any],
            let errors = object["errors"] as? [[String: Any]]
        {
            var codes: [DistributionErrorCode] = []
            var parts: [String] = []
            for error in errors {
                let code = error["code"] as? String ?? "UNKNOWN"
                if let known = DistributionErrorCode(rawValue: code) { codes.append(known) }
                let message = error["message"] as? String ?? ""
                parts.append(message.isEmpty ? code : "\(code): \(message)")
            }
            return (codes, parts.joined(separator: "; "))
        }
        let text = String(decoding: body.prefix(300), as: UTF8.self)
        return ([], text.split(whereSeparator: \.isNewline).joined(separator: " "))
    }
}

/// Feeds a request body to curl's read callback, remembering a stream's failure.
private final class BodySender {
    private let data: Data?
    private let stream: (any BlobStream)?
    let length: Int64?
    private(set) var sent: Int64 = 0
    private(set) var failure: SyncError?

    init(_ body: RegistryRequest.Body) {
        switch body {
        case .none: (data, stream, length) = (nil, nil, nil)
        case .data(let bytes): (data, stream, length) = (bytes, nil, Int64(bytes.count))
        case .stream(let count, let source): (data, stream, length) = (nil, source, count)
        }
    }

    func send(_ buffer: UnsafeMutableRawBufferPointer) -> Int? {
        guard let length else { return 0 }
        let remaining = Int(min(Int64(buffer.count), length - sent))
        guard remaining > 0 else { return 0 }
        let target = UnsafeMutableRawBufferPointer(rebasing: buffer[..<remaining])
        if let data {
            let start = Int(sent)
            data.withUnsafeBytes { target.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[start..<(start + remaining)])) }
            sent += Int64(remaining)
            return remaining
        }
        guard let stream else { return 0 }
        do {
            let count = try stream.read(into: target)
            guard count > 0 else {
                failure = .invalidArgument("the blob source ended after \(sent) of \(length) bytes")
                return nil
            }
            sent += Int64(count)
            return count
        } catch {
            failure = SyncError(error)
            return nil
        }
    }
}

/// Receives a response body from curl's write callback: streams 2xx bodies to the consumer, keeps others.
private final class BodyCollector {
    private let handling: ResponseHandling
    private let host: String
    private(set) var data = Data()
    private(set) var failure: SyncError?

    init(_ handling: ResponseHandling, host: String) {
        self.handling = handling
        self.host = host
    }

    func receive(status: Int, headers: HTTPHeaders, bytes: UnsafeRawBufferPointer) -> Bool {
        let success = (200..<300).contains(status)
        switch handling {
        case .stream(let consume) where success:
            do throws(SyncError) { try consume(status, headers, bytes) } catch {
                failure = error
                return false
            }
            return true
        case .collect(let limit) where success:
            guard data.count + bytes.count <= limit else {
                failure = .invalidResponse(host: host, reason: "the response is larger than the \(limit)-byte limit")
                return false
            }
            data.append(contentsOf: bytes)
            return true
        default:
            // An error body: keep its start for the message and drain the rest (the connection stays usable).
            let room = max(0, RegistryClient.errorBodyLimit - data.count)
            data.append(contentsOf: bytes.prefix(room))
            return true
        }
    }
}
