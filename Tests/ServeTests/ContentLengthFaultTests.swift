// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
import Testing

@testable import Serve

/// Blob uploads whose body does not match their `Content-Length`, over a real socket. A body that ends early
/// (the client stops sending) must never count as a complete one: no 201/202, nothing committed, and the
/// session either gone or reporting the bytes it really holds. A body longer than declared is cut at the
/// declared length (HTTP framing): the extra bytes never reach the blob, and the connection closes on them.
@Suite("Serve: wrong Content-Length on blob uploads")
struct ContentLengthFaultTests {
    static let size = 600_001

    /// A session PUT whose body is half its `Content-Length`. Its `digest=` names exactly the bytes sent, so a
    /// server that took the early end for the end of the body would commit a blob.
    @Test func putShorterThanContentLengthCommitsNothing() async throws {
        let fixture = ServeFixture()
        defer { fixture.removeAll() }
        let blob = randomBytes(Self.size)
        let sent = blob.prefix(blob.count / 2)
        let sentDigest = Digest.sha256(of: sent)
        try await fixture.serve { port, _ in
            let location = try await FaultChecks.startUpload(port: port)
            let connection = try RawHTTPConnection(port: port)
            try await connection.sendHead(
                "PUT \(location)?digest=\(sentDigest) HTTP/1.1",
                headers: [("Content-Length", "\(blob.count)"), ("Content-Type", "application/octet-stream")])
            try await connection.send(sent)
            connection.shutdownWrite()
            try await Self.expectRefusedAndClosed(connection, "PUT with a short body")
            try await FaultChecks.expectNoBlob(sentDigest, port: port, fixture: fixture)
            try await FaultChecks.expectGoneOrResumable(
                location, blob: blob, sent: sent.count, port: port, fixture: fixture)
            try await FaultChecks.expectServing(port)
        }
        try FaultChecks.expectFsckClean(fixture)
    }

    /// A single-POST upload (`?digest=`) whose body is half its `Content-Length`: nothing committed, and its
    /// session (which no client can name) is removed.
    @Test func singlePostShorterThanContentLengthCommitsNothing() async throws {
        let fixture = ServeFixture()
        defer { fixture.removeAll() }
        let sent = randomBytes(Self.size / 2)
        let digest = Digest.sha256(of: sent)
        try await fixture.serve { port, _ in
            let connection = try RawHTTPConnection(port: port)
            try await connection.sendHead(
                "POST /v2/app/blobs/uploads/?digest=\(digest) HTTP/1.1",
                headers: [("Content-Length", "\(sent.count * 2)"), ("Content-Type", "application/octet-stream")])
            try await connection.send(sent)
            connection.shutdownWrite()
            try await Self.expectRefusedAndClosed(connection, "single POST with a short body")
            try await FaultChecks.expectNoBlob(digest, port: port, fixture: fixture)
            try await FaultChecks.expectNoSessions(fixture)
            try await FaultChecks.expectServing(port)
        }
        try FaultChecks.expectFsckClean(fixture)
    }

    /// A PATCH chunk (with `Content-Range`, or streamed without it) whose body is half its `Content-Length`: no
    /// 202, and the session is gone or resumes from the offset it reports.
    @Test(arguments: [true, false])
    func patchShorterThanContentLengthIsNotAccepted(withContentRange: Bool) async throws {
        let fixture = ServeFixture()
        defer { fixture.removeAll() }
        let blob = randomBytes(Self.size)
        let sent = blob.prefix(blob.count / 2)
        try await fixture.serve { port, _ in
            let location = try await FaultChecks.startUpload(port: port)
            let connection = try RawHTTPConnection(port: port)
            var headers = [("Content-Length", "\(blob.count)"), ("Content-Type", "application/octet-stream")]
            if withContentRange { headers.append(("Content-Range", "0-\(blob.count - 1)")) }
            try await connection.sendHead("PATCH \(location) HTTP/1.1", headers: headers)
            try await connection.send(sent)
            connection.shutdownWrite()
            try await Self.expectRefusedAndClosed(connection, "PATCH with a short body")
            try await FaultChecks.expectNoBlob(Digest.sha256(of: blob), port: port, fixture: fixture)
            try await FaultChecks.expectGoneOrResumable(
                location, blob: blob, sent: sent.count, port: port, fixture: fixture)
            try await FaultChecks.expectServing(port)
        }
        try FaultChecks.expectFsckClean(fixture)
    }

    /// A session PUT whose body runs past its `Content-Length`, with `digest=` naming everything sent: the
    /// server reads only the declared bytes, so the digest does not match (400 DIGEST_INVALID), nothing is
    /// committed under either digest, and the connection closes on the bytes that follow.
    @Test func putLongerThanContentLengthIsCutAtTheDeclaredLength() async throws {
        let fixture = ServeFixture()
        defer { fixture.removeAll() }
        let blob = randomBytes(Self.size)
        let declared = blob.count - 1000
        let digest = Digest.sha256(of: blob)
        try await fixture.serve { port, _ in
            let location = try await FaultChecks.startUpload(port: port)
            let connection = try RawHTTPConnection(port: port)
            try await connection.sendHead(
                "PUT \(location)?digest=\(digest) HTTP/1.1",
                headers: [("Content-Length", "\(declared)"), ("Content-Type", "application/octet-stream")])
            try? await connection.send(blob)
            let response = await connection.readResponse()
            #expect(response?.status == 400, "PUT with a long body: \(String(describing: response?.status))")
            #expect(response?.errorCode == "DIGEST_INVALID")
            #expect(await connection.waitForClose(), "the bytes past Content-Length are no request: the connection closes")
            connection.close()
            try await FaultChecks.expectNoBlob(digest, port: port, fixture: fixture)
            try await FaultChecks.expectNoBlob(Digest.sha256(of: blob.prefix(declared)), port: port, fixture: fixture)
            try await FaultChecks.expectGoneOrResumable(
                location, blob: blob, sent: declared, port: port, fixture: fixture)
            try await FaultChecks.expectServing(port)
        }
        try FaultChecks.expectFsckClean(fixture)
    }

    /// A PATCH chunk whose body runs past its `Content-Length` (and `Content-Range`): the session holds exactly
    /// the declared bytes, never the extra ones, and the upload resumes from there into the right blob.
    @Test func patchLongerThanContentLengthKeepsOnlyTheDeclaredBytes() async throws {
        let fixture = ServeFixture()
        defer { fixture.removeAll() }
        let blob = randomBytes(Self.size)
        let declared = blob.count / 2
        try await fixture.serve { port, _ in
            let location = try await FaultChecks.startUpload(port: port)
            let connection = try RawHTTPConnection(port: port)
            try await connection.sendHead(
                "PATCH \(location) HTTP/1.1",
                headers: [
                    ("Content-Length", "\(declared)"), ("Content-Range", "0-\(declared - 1)"),
                    ("Content-Type", "application/octet-stream"),
                ])
            try? await connection.send(blob)
            if let response = await connection.readResponse() {
                #expect(response.status == 202, "PATCH with a long body: \(response.status)")
                #expect(response.uploadOffset == declared, "Range \(response.headers["range"] ?? "none")")
            }
            #expect(await connection.waitForClose(), "the bytes past Content-Length are no request: the connection closes")
            connection.close()
            let stillThere = try await FaultChecks.expectGoneOrResumable(
                location, blob: blob, sent: declared, port: port, fixture: fixture)
            #expect(stillThere, "an accepted chunk keeps its session")
            try await FaultChecks.expectServing(port)
        }
        try FaultChecks.expectFsckClean(fixture)
    }

    /// The server answers a truncated body with an OCI error (4xx) or not at all, never with success, and
    /// closes the connection.
    static func expectRefusedAndClosed(_ connection: RawHTTPConnection, _ what: String) async throws {
        if let response = await connection.readResponse() {
            #expect((400..<500).contains(response.status), "\(what): \(response.status), expected an error")
            #expect(response.errorCode != nil, "\(what): the error has an OCI error body")
        }
        #expect(await connection.waitForClose(), "\(what): the connection must close")
        connection.close()
    }
}
