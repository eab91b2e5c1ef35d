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

    /// Pieces of every size, in the order a socket delivers them, some only valid during the call and some the
    /// session may keep: small ones are gathered, large kept ones are written as they are (behind the hashing),
    /// after what was gathered before them. The blob is the pieces in order.
    @Test func piecesOfMixedSizesMakeTheBlobInOrder() async throws {
        let fixture = ServeFixture()
        defer { fixture.remove() }
        let sessions = UploadSessions(store: fixture.store)
        let session = try await sessions.start(repository: "app")
        let sizes = [10, 300_000, 70_000, 70_000, 1 << 20, 0, 5, 2 << 20, 262_144, 3, 400_000, 500_000, 262_143, 7]
        var blob = Data()
        for (index, size) in sizes.enumerated() {
            let piece = randomBytes(size)
            if index.isMultiple(of: 3) {
                try piece.withBytes { (bytes) throws(LayoutError) in try session.append(bytes) }
            } else {
                try session.append([UInt8](piece))
            }
            blob.append(piece)
            #expect(session.offset == Int64(blob.count))
        }
        let digest = Digest.sha256(of: blob)
        #expect(try await sessions.complete(session, expected: digest) == Int64(blob.count))
        let size = try #require(fixture.store.layout(for: "app").blobSize(digest))
        #expect(size == Int64(blob.count))
        let file = try #require(FileManager.default.contents(atPath: fixture.store.layout(for: "app").blobPath(digest)))
        #expect(file == blob)
    }
}
