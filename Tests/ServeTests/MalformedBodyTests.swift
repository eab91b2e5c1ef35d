// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
import Testing

@testable import Serve

/// Bodies a route cannot take as sent, over a real socket: a transfer coding the server does not implement, a
/// manifest cut short, a manifest over the cap still being sent. Each gets a precise OCI error (never a 500),
/// and the connection ends after it.
@Suite("Serve: malformed and refused request bodies")
struct MalformedBodyTests {
    /// The routes that read a body.
    enum BodyRoute: String, CaseIterable, Sendable {
        case manifestPut, sessionPatch, singlePost

        /// Method and path for this route (a new session for the PATCH).
        func target(port: Int) async throws -> (String, String) {
            switch self {
            case .manifestPut: ("PUT", "/v2/app/manifests/v1")
            case .sessionPatch: ("PATCH", try await FaultChecks.startUpload(port: port))
            case .singlePost: ("POST", "/v2/app/blobs/uploads/?digest=\(Digest.sha256(of: Data("{}".utf8)))")
            }
        }
    }

    /// `Transfer-Encoding` values naming a coding other than `chunked`: `gzip, chunked` is framed by the decoder,
    /// the others are not, and all of them are refused before the route reads a byte of encoded content.
    static let codings = ["gzip", "identity", "x-frobnicate", "gzip, chunked"]

    @Test(arguments: BodyRoute.allCases, codings)
    func unsupportedTransferEncodingIs501(route: BodyRoute, coding: String) async throws {
        let fixture = ServeFixture()
        defer { fixture.removeAll() }
        try await fixture.serve(configure: { $0.idleTimeout = .zero }) { port, _ in
            let (method, path) = try await route.target(port: port)
            let connection = try RawHTTPConnection(port: port)
            try await connection.sendHead(
                "\(method) \(path) HTTP/1.1",
                headers: [("Transfer-Encoding", coding), ("Content-Type", "application/octet-stream")])
            try? await connection.send(Data("2\r\n{}\r\n0\r\n\r\n".utf8))
            let response = try #require(await connection.readResponse(), "\(route) \(coding): no response")
            MalformedRequestTests.expectEnvelope(response, status: 501, code: "UNSUPPORTED", "\(route) \(coding)")
            let text = String(decoding: response.body, as: UTF8.self)
            #expect(text.contains("Transfer-Encoding"), "the message names the header: \(text)")
            #expect(await connection.waitForClose(timeout: .seconds(30)), "\(route) \(coding): the connection must close")
            connection.close()
            let pull = try await RawHTTPConnection.request(port: port, "GET", "/v2/app/manifests/v1")
            #expect(pull.status == 404, "nothing was stored")
            try await FaultChecks.expectServing(port)
        }
    }

    /// A manifest PUT whose body is shorter than its `Content-Length`, the client then closing its sending
    /// side: 400 SIZE_INVALID, as for blobs; nothing stored.
    @Test func manifestShorterThanContentLengthIsSizeInvalid() async throws {
        let fixture = ServeFixture()
        defer { fixture.removeAll() }
        try await fixture.serve { port, _ in
            let connection = try RawHTTPConnection(port: port)
            try await connection.sendHead(
                "PUT /v2/app/manifests/v1 HTTP/1.1",
                headers: [("Content-Length", "1000"), ("Content-Type", "application/vnd.oci.image.manifest.v1+json")])
            try await connection.send(Data(#"{"schemaVersion":2,"#.utf8))
            connection.shutdownWrite()
            let response = try #require(await connection.readResponse(), "no response")
            MalformedRequestTests.expectEnvelope(response, status: 400, code: "SIZE_INVALID", "short manifest")
            #expect(await connection.waitForClose(timeout: .seconds(30)))
            connection.close()
            let pull = try await RawHTTPConnection.request(port: port, "GET", "/v2/app/manifests/v1")
            #expect(pull.status == 404)
            try await FaultChecks.expectServing(port)
        }
    }

    /// A manifest announced far over the cap while the client keeps sending: 413 at once, then the end of the
    /// stream (the server stops reading: the client's upload breaks off instead of being read to its end). The
    /// idle timeout is off, so only the 413 can close the connection.
    @Test func oversizedManifestClosesTheConnectionAfterThe413() async throws {
        let fixture = ServeFixture()
        defer { fixture.removeAll() }
        let size = 64 << 20
        try await fixture.serve(configure: { $0.idleTimeout = .zero }) { port, _ in
            let connection = try RawHTTPConnection(port: port)
            try await connection.sendHead(
                "PUT /v2/app/manifests/v1 HTTP/1.1",
                headers: [
                    ("Content-Length", "\(size)"), ("Content-Type", "application/vnd.oci.image.manifest.v1+json"),
                ])
            async let upload: Void = connection.send(Data(repeating: UInt8(ascii: " "), count: size))
            let response = try #require(await connection.readResponse(), "no response")
            MalformedRequestTests.expectEnvelope(response, status: 413, code: "MANIFEST_INVALID", "oversized manifest")
            #expect(await connection.waitForClose(timeout: .seconds(30)), "the connection must close after the 413")
            let uploaded: Bool = (try? await upload) != nil
            #expect(!uploaded, "the server must stop reading, not take all \(size) bytes")
            connection.close()
            try await FaultChecks.expectServing(port)
        }
    }
}
