// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
import Testing

@testable import Serve

/// Clients that vanish in the middle of a blob upload (headers and half the body sent, then the socket closed):
/// nothing becomes visible, the session is resumable or removed, and the server keeps serving.
@Suite("Serve: clients disconnecting mid-upload")
struct DisconnectFaultTests {
    static let size = 2_000_001

    /// Sends the head and the first half of `blob` as `method path` with the whole blob's `Content-Length`, then
    /// closes the socket.
    static func abandon(
        port: Int, _ method: String, _ path: String, blob: Data, extraHeaders: [(String, String)] = []
    ) async throws {
        let connection = try RawHTTPConnection(port: port)
        try await connection.sendHead(
            "\(method) \(path) HTTP/1.1",
            headers: [("Content-Length", "\(blob.count)"), ("Content-Type", "application/octet-stream")] + extraHeaders)
        try await connection.send(blob.prefix(blob.count / 2))
        connection.close()
    }

    /// The requests of a session that a client can abandon halfway.
    enum SessionRequest: CaseIterable, Sendable {
        case streamedPatch, chunk, finalPut

        /// Abandons this request on the session at `location`, half of `blob` sent.
        func abandon(port: Int, location: String, blob: Data) async throws {
            switch self {
            case .streamedPatch:
                try await DisconnectFaultTests.abandon(port: port, "PATCH", location, blob: blob)
            case .chunk:
                try await DisconnectFaultTests.abandon(
                    port: port, "PATCH", location, blob: blob, extraHeaders: [("Content-Range", "0-\(blob.count - 1)")])
            case .finalPut:
                try await DisconnectFaultTests.abandon(
                    port: port, "PUT", location + "?digest=\(Digest.sha256(of: blob))", blob: blob)
            }
        }
    }

    /// A streamed PATCH, a chunk (with `Content-Range`) or the final PUT (with `digest=`) broken off halfway:
    /// nothing is committed, and the session is gone or resumes from the bytes it really holds.
    @Test(arguments: SessionRequest.allCases)
    func disconnectDuringASessionRequestLeavesAResumableSession(request: SessionRequest) async throws {
        let fixture = ServeFixture()
        defer { fixture.removeAll() }
        let blob = randomBytes(Self.size)
        try await fixture.serve { port, _ in
            let location = try await FaultChecks.startUpload(port: port)
            try await request.abandon(port: port, location: location, blob: blob)
            try await FaultChecks.expectNoBlob(Digest.sha256(of: blob), port: port, fixture: fixture)
            try await FaultChecks.expectGoneOrResumable(
                location, blob: blob, sent: blob.count / 2, port: port, fixture: fixture)
            try await FaultChecks.expectServing(port)
        }
        try FaultChecks.expectFsckClean(fixture)
    }

    @Test func disconnectDuringASinglePostRemovesItsSession() async throws {
        let fixture = ServeFixture()
        defer { fixture.removeAll() }
        let blob = randomBytes(Self.size)
        let digest = Digest.sha256(of: blob)
        try await fixture.serve { port, _ in
            try await Self.abandon(port: port, "POST", "/v2/app/blobs/uploads/?digest=\(digest)", blob: blob)
            try await FaultChecks.expectNoSessions(fixture)
            try await FaultChecks.expectNoBlob(digest, port: port, fixture: fixture)
            try await FaultChecks.expectServing(port)
        }
        try FaultChecks.expectFsckClean(fixture)
    }

    /// A session its client abandoned is swept once it expires: its data is removed and it is unknown.
    @Test func anAbandonedSessionIsSweptWhenItExpires() async throws {
        let fixture = ServeFixture()
        defer { fixture.removeAll() }
        let blob = randomBytes(Self.size)
        try await fixture.serve(configure: {
            $0.uploadExpiry = .seconds(1)
            $0.sweepInterval = .milliseconds(100)
        }) { port, _ in
            let location = try await FaultChecks.startUpload(port: port)
            try await Self.abandon(port: port, "PATCH", location, blob: blob)
            try await FaultChecks.expectNoSessions(fixture, within: .seconds(15))
            let status = try await RawHTTPConnection.request(port: port, "GET", location)
            #expect(status.status == 404)
            #expect(status.errorCode == "BLOB_UPLOAD_UNKNOWN")
            try await FaultChecks.expectNoBlob(Digest.sha256(of: blob), port: port, fixture: fixture)
            try await FaultChecks.expectServing(port)
        }
        try FaultChecks.expectFsckClean(fixture)
    }

    /// Many clients vanishing at once, on every upload route: no blob appears, and the server still serves.
    @Test func manyAbandonedUploadsLeaveTheServerServing() async throws {
        let fixture = ServeFixture()
        defer { fixture.removeAll() }
        try await fixture.serve { port, _ in
            var digests: [Digest] = []
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<12 {
                    let blob = randomBytes(300_000 + index)
                    let digest = Digest.sha256(of: blob)
                    digests.append(digest)
                    group.addTask {
                        if index % 3 == 0 {
                            try await Self.abandon(port: port, "POST", "/v2/app/blobs/uploads/?digest=\(digest)", blob: blob)
                        } else {
                            let location = try await FaultChecks.startUpload(port: port)
                            let request: SessionRequest = index % 3 == 1 ? .streamedPatch : .finalPut
                            try await request.abandon(port: port, location: location, blob: blob)
                        }
                    }
                }
                try await group.waitForAll()
            }
            for digest in digests { try await FaultChecks.expectNoBlob(digest, port: port, fixture: fixture) }
            try await FaultChecks.expectServing(port)
        }
        try FaultChecks.expectFsckClean(fixture)
    }
}
