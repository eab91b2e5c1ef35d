// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
import Testing

@testable import Serve

/// `Expect: 100-continue` (RFC 9110, section 10.1.1): a client that sends it holds its body back until it hears
/// `100 Continue`. curl does so for every body over 1 MiB, and without the answer waits a second per upload.
@Suite("Serve: Expect: 100-continue")
struct ExpectContinueTests {
    /// A blob PUT that announces its body and waits: `100 Continue` comes before any body byte is sent, then the
    /// body completes the blob (201) and the blob reads back.
    @Test func uploadWaitingForContinueGetsItBeforeSendingItsBody() async throws {
        let fixture = ServeFixture()
        defer { fixture.removeAll() }
        let blob = randomBytes(300_001)
        let digest = Digest.sha256(of: blob)
        try await fixture.serve { port, _ in
            let location = try await FaultChecks.startUpload(port: port)
            let connection = try RawHTTPConnection(port: port)
            defer { connection.close() }
            try await connection.sendHead(
                "PUT \(location)?digest=\(digest) HTTP/1.1",
                headers: [
                    ("Content-Length", "\(blob.count)"), ("Content-Type", "application/octet-stream"),
                    ("Expect", "100-continue"),
                ])
            let interim = try #require(await connection.readResponse(), "no answer to Expect: 100-continue")
            #expect(interim.status == 100)
            try await connection.send(blob)
            let final = try #require(await connection.readResponse(), "no answer after the body")
            #expect(final.status == 201, "PUT after 100 Continue: \(final.status) \(final.errorCode ?? "")")
            #expect(final.headers["docker-content-digest"] == digest.description)
            let read = try await RawHTTPConnection.request(port: port, "GET", "/v2/app/blobs/\(digest)")
            #expect(read.status == 200 && read.body == blob)
        }
        try FaultChecks.expectFsckClean(fixture)
    }

    /// Without the expectation there is no interim answer: the first response is the final one.
    @Test func requestWithoutExpectationGetsOnlyItsFinalAnswer() async throws {
        let fixture = ServeFixture()
        defer { fixture.removeAll() }
        try await fixture.serve { port, _ in
            let response = try await RawHTTPConnection.request(port: port, "POST", "/v2/app/blobs/uploads/")
            #expect(response.status == 202)
        }
    }
}
