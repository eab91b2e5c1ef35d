// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
import Testing

@testable import Serve

/// Requests NIO's HTTP/1 decoder refuses, over a real socket: each gets its status with the OCI error envelope
/// (never an empty body, never a 500), and the connection closes after it (the bytes that follow cannot be
/// framed); the server keeps serving.
@Suite("Serve: malformed requests get OCI errors")
struct MalformedRequestTests {
    /// A request the decoder refuses before any route runs, and the answer it must get.
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let bytes: Data
        let status: Int
        let code: String
        var testDescription: String { name }

        init(_ name: String, _ head: String, status: Int, code: String) {
            self.name = name
            self.bytes = Data(head.utf8)
            self.status = status
            self.code = code
        }

        init(_ name: String, bytes: Data, status: Int, code: String) {
            self.name = name
            self.bytes = bytes
            self.status = status
            self.code = code
        }
    }

    static let cases: [Case] = [
        Case("space in a header name", "GET /v2/ HTTP/1.1\r\nHost: a\r\nBad Name: x\r\n\r\n", status: 400, code: "UNSUPPORTED"),
        Case("header line without a colon", "GET /v2/ HTTP/1.1\r\nHost: a\r\nnocolon\r\n\r\n", status: 400, code: "UNSUPPORTED"),
        Case(
            "duplicate Content-Length",
            "PUT /v2/app/manifests/v1 HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}",
            status: 400, code: "SIZE_INVALID"),
        Case(
            "non-numeric Content-Length", "PUT /v2/app/manifests/v1 HTTP/1.1\r\nHost: a\r\nContent-Length: 1x\r\n\r\n{}",
            status: 400, code: "SIZE_INVALID"),
        Case("HTTP/2.0 request line", "GET /v2/ HTTP/2.0\r\nHost: a\r\n\r\n", status: 505, code: "UNSUPPORTED"),
        Case("garbage version", "GET /v2/ HTTX/1.1\r\nHost: a\r\n\r\n", status: 400, code: "UNSUPPORTED"),
        Case("unknown method", "FROB /v2/ HTTP/1.1\r\nHost: a\r\n\r\n", status: 501, code: "UNSUPPORTED"),
        Case("lowercase method", "get /v2/ HTTP/1.1\r\nHost: a\r\n\r\n", status: 501, code: "UNSUPPORTED"),
        Case(
            "oversized header section",
            "GET /v2/ HTTP/1.1\r\nHost: a\r\nX-Big: \(String(repeating: "a", count: 100_000))\r\n\r\n", status: 431,
            code: "UNSUPPORTED"),
        Case(
            "raw non-ASCII in the path", bytes: Data("GET /v2/caf\u{e9}/tags/list HTTP/1.1\r\nHost: a\r\n\r\n".utf8),
            status: 400, code: "UNSUPPORTED"),
        Case(
            "CONNECT", "CONNECT 127.0.0.1:443 HTTP/1.1\r\nHost: 127.0.0.1:443\r\n\r\n", status: 405, code: "UNSUPPORTED"),
        Case(
            "malformed chunk size",
            "PUT /v2/app/manifests/v1 HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
            status: 400, code: "UNSUPPORTED"),
    ]

    @Test(arguments: cases)
    func refusedByTheDecoder(_ request: Case) async throws {
        let fixture = ServeFixture()
        defer { fixture.removeAll() }
        try await fixture.serve(configure: { $0.idleTimeout = .zero }) { port, _ in
            let connection = try RawHTTPConnection(port: port)
            try await connection.send(request.bytes)
            let response = try #require(await connection.readResponse(), "\(request.name): no response")
            Self.expectEnvelope(response, status: request.status, code: request.code, request.name)
            #expect(response.headers["connection"]?.lowercased() == "close", "\(request.name)")
            #expect(await connection.waitForClose(timeout: .seconds(30)), "\(request.name): the connection must close")
            connection.close()
            try await FaultChecks.expectServing(port)
        }
    }

    /// Pipelined: a good request, then a malformed one on the same connection. The good one is answered as
    /// usual, then the malformed one gets its envelope, then the connection closes.
    @Test func malformedRequestAfterAGoodOneOnTheSameConnection() async throws {
        let fixture = ServeFixture()
        defer { fixture.removeAll() }
        try await fixture.serve(configure: { $0.idleTimeout = .zero }) { port, _ in
            let connection = try RawHTTPConnection(port: port)
            try await connection.send(Data("GET /v2/ HTTP/1.1\r\nHost: a\r\n\r\nGET /v2/ HTTP/1.1\r\nBad Name: x\r\n\r\n".utf8))
            let first = try #require(await connection.readResponse())
            #expect(first.status == 200)
            let second = try #require(await connection.readResponse())
            Self.expectEnvelope(second, status: 400, code: "UNSUPPORTED", "second request")
            #expect(await connection.waitForClose(timeout: .seconds(30)))
            connection.close()
        }
    }

    /// Checks the status, `Content-Type` and envelope (code and a message) of an error answer.
    static func expectEnvelope(_ response: RawHTTPConnection.Response, status: Int, code: String, _ what: String) {
        #expect(response.status == status, "\(what): \(response.status) \(String(decoding: response.body, as: UTF8.self))")
        #expect(response.headers["content-type"] == "application/json", "\(what)")
        #expect(response.errorCode == code, "\(what): \(String(decoding: response.body, as: UTF8.self))")
        let object = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any]
        let message = (object?["errors"] as? [[String: Any]])?.first?["message"] as? String
        #expect(message?.isEmpty == false, "\(what): the envelope has a message")
    }
}
