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
                headers: Self.expectingContinue(blob.count))
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

    /// Two pipelined requests: a blob GET, then a PUT that waits for `100 Continue`. The interim answer comes
    /// after the whole GET response (never inside its body), then the PUT completes.
    @Test func continueOnAPipelinedConnectionWaitsForTheEarlierResponse() async throws {
        let fixture = ServeFixture()
        defer { fixture.removeAll() }
        let served = randomBytes(3 << 20)
        let servedDigest = Digest.sha256(of: served)
        let pushed = randomBytes(100_001)
        let pushedDigest = Digest.sha256(of: pushed)
        try await fixture.serve { port, _ in
            let push = try await RawHTTPConnection.request(
                port: port, "POST", "/v2/app/blobs/uploads/?digest=\(servedDigest)",
                headers: [("Content-Type", "application/octet-stream")], body: served)
            try #require(push.status == 201)
            let location = try await FaultChecks.startUpload(port: port)
            let connection = try RawHTTPConnection(port: port)
            defer { connection.close() }
            try await connection.sendHead("GET /v2/app/blobs/\(servedDigest) HTTP/1.1", headers: [])
            try await connection.sendHead(
                "PUT \(location)?digest=\(pushedDigest) HTTP/1.1",
                headers: Self.expectingContinue(pushed.count))
            // Generous: the suite runs beside the Ceph-backed tests, and a 3 MiB answer can take seconds then.
            let get = try #require(await connection.readResponse(timeout: .seconds(60)), "no answer to the GET")
            #expect(get.status == 200 && get.body == served, "GET: \(get.status), \(get.body.count) bytes")
            let interim = try #require(
                await connection.readResponse(timeout: .seconds(60)), "no 100 Continue after the GET")
            #expect(interim.status == 100)
            try await connection.send(pushed)
            let put = try #require(await connection.readResponse(), "no answer to the PUT")
            #expect(put.status == 201, "PUT: \(put.status) \(put.errorCode ?? "")")
        }
        try FaultChecks.expectFsckClean(fixture)
    }

    /// With credentials required, a push that carries none gets its 401 at once, before it has sent a byte of its
    /// body; one with credentials gets `100 Continue` and goes through.
    @Test func anUnauthenticatedPushGetsItsRefusalInsteadOfContinue() async throws {
        let fixture = ServeFixture()
        defer { fixture.removeAll() }
        let auth = try fixture.auth(AuthTests.rules)
        let blob = randomBytes(200_001)
        let digest = Digest.sha256(of: blob)
        let alice = "Basic " + Data("alice:\(TestUsers.passwords["alice"] ?? "")".utf8).base64EncodedString()
        try await fixture.serve(configure: { $0.auth = auth }) { port, _ in
            let head = Self.expectingContinue(blob.count)
            let anonymous = try RawHTTPConnection(port: port)
            defer { anonymous.close() }
            try await anonymous.sendHead("POST /v2/team/app/blobs/uploads/?digest=\(digest) HTTP/1.1", headers: head)
            let refusal = try #require(await anonymous.readResponse(), "no answer without credentials")
            #expect(refusal.status == 401 && refusal.errorCode == "UNAUTHORIZED", "\(refusal.status)")

            let authenticated = try RawHTTPConnection(port: port)
            defer { authenticated.close() }
            try await authenticated.sendHead(
                "POST /v2/team/app/blobs/uploads/?digest=\(digest) HTTP/1.1", headers: head + [("Authorization", alice)])
            let interim = try #require(await authenticated.readResponse(), "no 100 Continue with credentials")
            #expect(interim.status == 100)
            try await authenticated.send(blob)
            let created = try #require(await authenticated.readResponse(), "no answer after the body")
            #expect(created.status == 201, "\(created.status) \(created.errorCode ?? "")")
        }
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

    /// The head fields of a blob body of `length` bytes that waits for `100 Continue`.
    static func expectingContinue(_ length: Int) -> [(String, String)] {
        [("Content-Length", "\(length)"), ("Content-Type", "application/octet-stream"), ("Expect", "100-continue")]
    }
}
