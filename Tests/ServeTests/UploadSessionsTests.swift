// SPDX-License-Identifier: Apache-2.0
import Foundation
import Hummingbird
import HummingbirdTesting
import Layout
import Testing

@testable import Serve

/// The upload session table itself: exclusive use, sweeping around sessions in use, other digest algorithms.
@Suite("Serve: upload session table")
struct UploadSessionsTests {
    @Test func aSessionInUseIsRefusedToASecondRequest() async throws {
        let fixture = ServeFixture()
        defer { fixture.remove() }
        let sessions = UploadSessions(store: fixture.store)
        let session = try await sessions.start(repository: "app")
        await #expect(throws: UploadError.invalid("blob upload \(session.id) is in use by another request")) {
            try await sessions.checkout(session.id, repository: "app")
        }
        await sessions.checkin(session)
        let again = try await sessions.checkout(session.id, repository: "app")
        #expect(again === session)
        await sessions.checkin(again)
    }

    @Test func sweepSparesSessionsInUseAndRecentOnes() async throws {
        let fixture = ServeFixture()
        defer { fixture.remove() }
        let sessions = UploadSessions(store: fixture.store, expiry: 60)
        let inUse = try await sessions.start(repository: "app")
        let idle = try await sessions.start(repository: "app")
        await sessions.checkin(idle)
        let later = Date().addingTimeInterval(120)
        #expect(await sessions.sweep(now: Date()) == [])
        #expect(await sessions.sweep(now: later) == [idle.id])
        #expect(FileSystem.list(sessions.directory) == [inUse.id])
        await sessions.checkin(inUse)
        #expect(await sessions.sweep(now: later.addingTimeInterval(120)) == [inUse.id])
    }

    @Test func sha512UploadsAndDigestsOfAnotherAlgorithmThanTheSession() async throws {
        let fixture = ServeFixture()
        defer { fixture.remove() }
        let data = randomBytes(5000)
        let hasher = DigestHasher(.sha512)
        hasher.update(data)
        let sha512 = hasher.finalize()
        try await fixture.run { client in
            // A sha512 session.
            let post = try await client.execute(uri: "/v2/app/blobs/uploads/?digest-algorithm=sha512", method: .post)
            #expect(post.status == .accepted)
            let location = try #require(post.headers[.location])
            let put = try await client.execute(uri: "\(location)?digest=\(sha512)", method: .put, body: data.buffer)
            #expect(put.status == .created)
            #expect(try await client.execute(uri: "/v2/app/blobs/\(sha512)", method: .get).body.data == data)
            // A default (sha256) session finished with a sha512 digest: hashed again, accepted.
            let other = try await UploadTests.start(client, "other")
            let finish = try await client.execute(uri: "\(other)?digest=\(sha512)", method: .put, body: data.buffer)
            #expect(finish.status == .created)
            let unknown = try await client.execute(uri: "/v2/app/blobs/uploads/?digest-algorithm=md5", method: .post)
            #expect(unknown.status == .badRequest)
        }
    }
}
