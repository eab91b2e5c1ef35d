// SPDX-License-Identifier: Apache-2.0
import Foundation
import Glibc

/// A plain TCP connection to a test server, for requests no HTTP client sends: a body shorter or longer than its
/// `Content-Length`, a client that vanishes in the middle of a body. Blocking socket calls run on a thread of
/// their own, never on the cooperative pool that the in-process server also needs.
final class RawHTTPConnection: @unchecked Sendable {
    /// A response as read off the wire (header names lowercased).
    struct Response: Sendable {
        let status: Int
        let headers: [String: String]
        let body: Data

        /// The first OCI error code of a JSON error body, if any.
        var errorCode: String? {
            guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any],
                let errors = object["errors"] as? [[String: Any]]
            else { return nil }
            return errors.first?["code"] as? String
        }

        /// One past the last byte an upload holds, from `Range: 0-<end>` (an empty upload says `0-0` too).
        var uploadOffset: Int? {
            guard let range = headers["range"], let end = range.split(separator: "-").last.flatMap({ Int($0) })
            else { return nil }
            return end == 0 ? 0 : end + 1
        }
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    private let socket: Int32
    private var received = Data()
    private var closed = false

    /// Connects to 127.0.0.1:`port`.
    init(port: Int) throws {
        socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw Failure(description: "socket: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            Glibc.close(socket)
            throw Failure(description: "connect to port \(port): errno \(errno)")
        }
    }

    deinit { close() }

    /// Closes the socket (both directions): the client is gone.
    func close() {
        guard !closed else { return }
        closed = true
        Glibc.close(socket)
    }

    /// Closes the sending side only: the server sees the end of the stream, the response can still be read.
    func shutdownWrite() { Glibc.shutdown(socket, Int32(SHUT_WR)) }

    /// Sends a request line, headers and the blank line.
    func sendHead(_ requestLine: String, headers: [(String, String)]) async throws {
        var text = requestLine + "\r\nHost: 127.0.0.1\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        try await send(Data((text + "\r\n").utf8))
    }

    /// Sends bytes (all of them, unless the server closed the connection: then it throws).
    func send(_ data: Data) async throws {
        let socket = self.socket
        let failure: String? = await RawHTTPConnection.offPool {
            data.withUnsafeBytes { bytes -> String? in
                guard let base = bytes.baseAddress else { return nil }
                var offset = 0
                while offset < bytes.count {
                    let sent = Glibc.send(socket, base + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
                    if sent < 0 {
                        if errno == EINTR { continue }
                        return "send: errno \(errno)"
                    }
                    offset += sent
                }
                return nil
            }
        }
        if let failure { throw Failure(description: failure) }
    }

    /// How long a read waits by default: a bound on a hung server, not a timing expectation (every read returns
    /// as soon as its bytes or the close arrive). Generous, because the library's tests share two cores with a
    /// Ceph cluster and each other.
    static let patience: Duration = .seconds(60)

    /// Reads one response; nil when the server closed the connection (or `timeout` passed) before a whole
    /// response arrived.
    func readResponse(timeout: Duration = RawHTTPConnection.patience) async -> Response? {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let response = parseResponse() { return response }
            guard await fill(until: deadline) else { return parseResponse(atEnd: true) }
        }
    }

    /// Reads until at least `count` bytes have arrived (head included), keeping them unparsed.
    /// - Returns: whether they arrived before the end of the stream or `timeout`.
    func receive(atLeast count: Int, timeout: Duration = RawHTTPConnection.patience) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while received.count < count {
            guard await fill(until: deadline) else { return false }
        }
        return true
    }

    /// Reads (and drops) until the server closes the connection.
    /// - Returns: whether it closed within `timeout`.
    func waitForClose(timeout: Duration = RawHTTPConnection.patience) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while await fill(until: deadline) { received.removeAll() }
        return ContinuousClock.now < deadline
    }

    /// Reads what is available into `received`. Returns false at the end of the stream, on an error, or when
    /// `deadline` passes.
    private func fill(until deadline: ContinuousClock.Instant) async -> Bool {
        let socket = self.socket
        let chunk: Data? = await RawHTTPConnection.offPool {
            while ContinuousClock.now < deadline {
                var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
                let ready = poll(&descriptor, 1, 100)
                if ready < 0, errno != EINTR { return nil }
                guard ready > 0 else { continue }
                var buffer = [UInt8](repeating: 0, count: 64 * 1024)
                let count = recv(socket, &buffer, buffer.count, 0)
                if count < 0, errno == EINTR { continue }
                return count > 0 ? Data(buffer[0..<count]) : nil
            }
            return nil
        }
        guard let chunk else { return false }
        received.append(chunk)
        return true
    }

    /// A whole response at the start of `received` (removed from it), if there is one.
    private func parseResponse(atEnd: Bool = false) -> Response? {
        guard let headEnd = received.range(of: Data("\r\n\r\n".utf8)) else { return nil }
        let head = String(decoding: received[received.startIndex..<headEnd.lowerBound], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { return nil }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let bodyStart = headEnd.upperBound
        let length: Int
        if status == 204 || status == 304 || (100..<200).contains(status) {
            length = 0  // no body, whatever the headers say
        } else if let declared = headers["content-length"].flatMap({ Int($0) }) {
            length = declared
        } else if atEnd {
            length = received.endIndex - bodyStart
        } else {
            return nil
        }
        guard received.endIndex - bodyStart >= length else { return nil }
        let body = Data(received[bodyStart..<(bodyStart + length)])
        received = Data(received[(bodyStart + length)...])
        return Response(status: status, headers: headers, body: body)
    }

    /// Runs blocking work on a new thread.
    static func offPool<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: work()) }
        }
    }

    /// One whole request on a new connection, closed after the response, for the steps around a fault. (No
    /// `Connection: close`: the server would then close without reading a body it did not need, and the reset
    /// could destroy the response before it is read.)
    static func request(
        port: Int, _ method: String, _ path: String, headers: [(String, String)] = [], body: Data = Data()
    ) async throws -> Response {
        let connection = try RawHTTPConnection(port: port)
        defer { connection.close() }
        try await connection.sendHead(
            "\(method) \(path) HTTP/1.1", headers: headers + [("Content-Length", "\(body.count)")])
        if !body.isEmpty { try await connection.send(body) }
        guard let response = await connection.readResponse() else {
            throw Failure(description: "\(method) \(path): no response")
        }
        return response
    }
}
