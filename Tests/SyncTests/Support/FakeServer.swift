// SPDX-License-Identifier: Apache-2.0
import Foundation
import Glibc

/// A request as the fake server saw it.
struct FakeRequest: Sendable {
    var method: String
    /// Path and query, as sent.
    var target: String
    /// Header fields, names lowercased.
    var headers: [String: String]
    var body: Data

    var path: String { String(target.prefix { $0 != "?" }) }

    /// An `application/x-www-form-urlencoded` body's fields (the last value of each).
    var form: [String: String] {
        var components = URLComponents()
        components.percentEncodedQuery = String(decoding: body, as: UTF8.self).replacingOccurrences(of: "+", with: "%20")
        var fields: [String: String] = [:]
        for item in components.queryItems ?? [] { fields[item.name] = item.value ?? "" }
        return fields
    }

    /// Every value of a query parameter, percent-decoded.
    func query(_ name: String) -> [String] {
        (URLComponents(string: target)?.queryItems ?? []).filter { $0.name == name }.compactMap(\.value)
    }
}

/// What the fake server answers. `cutAfter` sends the headers (with the full Content-Length) and only that
/// many body bytes, then closes the connection; `dropConnection` closes without answering.
struct FakeReply: Sendable {
    var status: Int
    var headers: [(String, String)] = []
    var body = Data()
    var cutAfter: Int?
    var dropConnection = false

    static func json(_ status: Int, _ text: String, headers: [(String, String)] = []) -> FakeReply {
        FakeReply(status: status, headers: [("Content-Type", "application/json")] + headers, body: Data(text.utf8))
    }

    static func error(_ status: Int, code: String, message: String, headers: [(String, String)] = []) -> FakeReply {
        json(status, #"{"errors":[{"code":"\#(code)","message":"\#(message)"}]}"#, headers: headers)
    }
}

/// A tiny blocking HTTP/1.1 server on 127.0.0.1 (a thread per connection, keep-alive), for fault injection.
final class FakeServer: @unchecked Sendable {
    let port: Int
    private let listener: Int32
    private let handler: @Sendable (FakeRequest) -> FakeReply

    init(_ handler: @escaping @Sendable (FakeRequest) -> FakeReply) throws {
        self.handler = handler
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        listener = socketFD
        var yes: Int32 = 1
        setsockopt(socketFD, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(socketFD, generic, length) == 0 && listen(socketFD, 64) == 0
                    && getsockname(socketFD, generic, &length) == 0
            }
        }
        guard bound else { throw POSIXError(.EADDRINUSE) }
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread { [handler] in
            while true {
                let connection = accept(socketFD, nil, nil)
                if connection < 0 { return }
                Thread { FakeServer.serve(connection, handler) }.start()
            }
        }.start()
    }

    /// Stops accepting connections (open ones end when their client closes them).
    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    var host: String { "127.0.0.1:\(port)" }

    private static func serve(_ connection: Int32, _ handler: (FakeRequest) -> FakeReply) {
        defer { close(connection) }
        var buffer = Data()
        while let request = readRequest(connection, &buffer) {
            let reply = handler(request)
            if reply.dropConnection { return }
            var head = "HTTP/1.1 \(reply.status) Fake\r\n"
            var fields = reply.headers
            if !fields.contains(where: { $0.0.lowercased() == "content-length" }) {
                fields.append(("Content-Length", String(reply.body.count)))
            }
            for (name, value) in fields { head += "\(name): \(value)\r\n" }
            head += "\r\n"
            guard sendAll(connection, Data(head.utf8)) else { return }
            if request.method != "HEAD" {
                let body = reply.cutAfter.map { reply.body.prefix($0) } ?? reply.body
                guard sendAll(connection, Data(body)) else { return }
            }
            if reply.cutAfter != nil { return }
        }
    }

    private static func readRequest(_ connection: Int32, _ buffer: inout Data) -> FakeRequest? {
        let separator = Data("\r\n\r\n".utf8)
        var headEnd = buffer.range(of: separator)
        while headEnd == nil {
            guard readMore(connection, &buffer) else { return nil }
            headEnd = buffer.range(of: separator)
        }
        guard let headEnd else { return nil }
        let head = String(decoding: buffer[buffer.startIndex..<headEnd.lowerBound], as: UTF8.self)
        buffer = Data(buffer[headEnd.upperBound...])
        var lines = head.components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst().split(separator: " ")
        guard requestLine.count >= 2 else { return nil }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        while buffer.count < length {
            guard readMore(connection, &buffer) else { return nil }
        }
        let body = Data(buffer.prefix(length))
        buffer = Data(buffer.dropFirst(length))
        return FakeRequest(method: String(requestLine[0]), target: String(requestLine[1]), headers: headers, body: body)
    }

    private static func readMore(_ connection: Int32, _ buffer: inout Data) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = recv(connection, &chunk, chunk.count, 0)
        guard count > 0 else { return false }
        buffer.append(contentsOf: chunk[..<count])
        return true
    }

    private static func sendAll(_ connection: Int32, _ data: Data) -> Bool {
        var offset = 0
        while offset < data.count {
            let sent = data.withUnsafeBytes { bytes in
                send(connection, bytes.baseAddress! + offset, data.count - offset, Int32(MSG_NOSIGNAL))
            }
            guard sent > 0 else { return false }
            offset += sent
        }
        return true
    }
}
