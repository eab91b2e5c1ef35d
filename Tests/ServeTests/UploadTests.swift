// SPDX-License-Identifier: Apache-2.0
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Layout
import Testing

@testable import Serve

/// Blob pushes: sessions, chunks, monolithic requests, digest checks, cancel, resume after a restart, expiry.
@Suite("Serve: uploads")
struct UploadTests {
    /// Starts a session; returns its Location.
    static func start(_ client: any TestClientProtocol, _ repository: String = "app") async throws -> String {
        let response = try await client.execute(uri: "/v2/\(repository)/blobs/uploads/", method: .post)
        #expect(response.status == .accepted)
        #expect(response.headers[.range] == "0-0")
        let location = try #require(response.headers[.location])
        #expect(location.hasPrefix("/v2/\(repository)/blobs/uploads/"))
        #expect(response.headers[.dockerUploadUUID] == String(location.split(separator: "/").last ?? ""))
        return location
    }

    static func patch(_ client: any TestClientProtocol, _ location: String, _ chunk: Data, from start: Int)
        async throws -> TestResponse
    {
        try await client.execute(
            uri: location, method: .patch,
            headers: [.contentRange: "\(start)-\(start + chunk.count - 1)", .contentType: "application/octet-stream"],
            body: chunk.buffer)
    }

    @Test(arguments: StorageKind.allCases)
    func chunkedUploadInThreePatchesThenPut(storage: StorageKind) async throws {
        let fixture = try await ServeFixture(storage)
        defer { fixture.remove() }
        let data = randomBytes(300_001)
        try await fixture.run { client in
            var location = try await UploadTests.start(client)
            for (index, range) in [0..<100_000, 100_000..<200_000, 200_000..<300_001].enumerated() {
                let response = try await UploadTests.patch(client, location, data[range], from: range.lowerBound)
                #expect(response.status == .accepted, "chunk \(index)")
                #expect(response.headers[.range] == "0-\(range.upperBound - 1)")
                location = try #require(response.headers[.location])
            }
            let digest = Digest.sha256(of: data)
            let put = try await client.execute(uri: "\(location)?digest=\(digest)", method: .put)
            #expect(put.status == .created)
            #expect(put.headers[.location] == "/v2/app/blobs/\(digest)")
            #expect(put.headers[.dockerContentDigest] == digest.description)
            let get = try await client.execute(uri: "/v2/app/blobs/\(digest)", method: .get)
            #expect(get.body.data == data)
        }
        let layout = try fixture.store.layout(for: "app")
        #expect(layout.blobSize(Digest.sha256(of: data)) == 300_001)
        #expect(try layout.check().isClean)
    }

    @Test(arguments: StorageKind.allCases)
    func outOfOrderChunkGives416AndStatusTellsWhereToResume(storage: StorageKind) async throws {
        let fixture = try await ServeFixture(storage)
        defer { fixture.remove() }
        let data = randomBytes(3000)
        try await fixture.run { client in
            let location = try await UploadTests.start(client)
            #expect(try await UploadTests.patch(client, location, data[0..<1000], from: 0).status == .accepted)
            let skipped = try await UploadTests.patch(client, location, data[2000..<3000], from: 2000)
            #expect(skipped.status == .rangeNotSatisfiable)
            #expect(skipped.errorCode == .blobUploadInvalid)
            #expect(skipped.headers[.range] == "0-999")
            #expect(skipped.headers[.location] == location)
            let status = try await client.execute(uri: location, method: .get)
            #expect(status.status == .noContent)
            #expect(status.headers[.range] == "0-999")
            #expect(status.headers[.location] == location)
            // The same chunk again, from the start, is also out of order.
            let repeated = try await UploadTests.patch(client, location, data[0..<1000], from: 0)
            #expect(repeated.status == .rangeNotSatisfiable)
            #expect(try await UploadTests.patch(client, location, data[1000..<3000], from: 1000).status == .accepted)
            let put = try await client.execute(uri: "\(location)?digest=\(Digest.sha256(of: data))", method: .put)
            #expect(put.status == .created)
        }
    }

    @Test(arguments: StorageKind.allCases)
    func outOfOrderFinalChunkInPutGives416(storage: StorageKind) async throws {
        let fixture = try await ServeFixture(storage)
        defer { fixture.remove() }
        let data = randomBytes(2000)
        try await fixture.run { client in
            let location = try await UploadTests.start(client)
            #expect(try await UploadTests.patch(client, location, data[0..<1000], from: 0).status == .accepted)
            let put = try await client.execute(
                uri: "\(location)?digest=\(Digest.sha256(of: data))", method: .put,
                headers: [.contentRange: "1500-1999"], body: data[1500...].buffer)
            #expect(put.status == .rangeNotSatisfiable)
            #expect(try await client.execute(uri: location, method: .get).headers[.range] == "0-999")
        }
    }

    /// A range whose length does not fit in 64 bits is refused as malformed (it used to overflow and stop the
    /// whole server), and the upload carries on.
    @Test(arguments: StorageKind.allCases, ["0-9223372036854775807", "5-3", "-1-2", "0-x"])
    func malformedContentRangeIsRefused(storage: StorageKind, range: String) async throws {
        let fixture = try await ServeFixture(storage)
        defer { fixture.remove() }
        let data = randomBytes(1000)
        try await fixture.run(.live) { client in
            let location = try await UploadTests.start(client)
            for method in [HTTPRequest.Method.patch, .put] {
                let response = try await client.execute(
                    uri: "\(location)?digest=\(Digest.sha256(of: data))", method: method,
                    headers: [.contentRange: range], body: data.buffer)
                #expect(response.status == .badRequest)
                #expect(response.errorCode == .blobUploadInvalid)
            }
            #expect(try await UploadTests.patch(client, location, data, from: 0).status == .accepted)
        }
    }

    @Test(arguments: StorageKind.allCases)
    func putWithTheFinalChunkInItsBody(storage: StorageKind) async throws {
        let fixture = try await ServeFixture(storage)
        defer { fixture.remove() }
        let data = randomBytes(5000)
        let digest = Digest.sha256(of: data)
        try await fixture.run { client in
            let location = try await UploadTests.start(client)
            #expect(try await UploadTests.patch(client, location, data[0..<2000], from: 0).status == .accepted)
            let put = try await client.execute(
                uri: "\(location)?digest=\(digest)", method: .put,
                headers: [.contentRange: "2000-4999"], body: data[2000...].buffer)
            #expect(put.status == .created)
            #expect(try await client.execute(uri: "/v2/app/blobs/\(digest)", method: .get).body.data == data)
        }
    }

    @Test(arguments: StorageKind.allCases)
    func postThenPutMonolithic(storage: StorageKind) async throws {
        let fixture = try await ServeFixture(storage)
        defer { fixture.remove() }
        let data = randomBytes(7000)
        let digest = Digest.sha256(of: data)
        try await fixture.run { client in
            let location = try await UploadTests.start(client)
            let put = try await client.execute(uri: "\(location)?digest=\(digest)", method: .put, body: data.buffer)
            #expect(put.status == .created)
            #expect(put.headers[.dockerContentDigest] == digest.description)
        }
        #expect(try fixture.store.layout(for: "app").blobSize(digest) == 7000)
    }

    @Test(arguments: StorageKind.allCases)
    func monolithicSinglePostGives201(storage: StorageKind) async throws {
        let fixture = try await ServeFixture(storage)
        defer { fixture.remove() }
        let data = randomBytes(9999)
        let digest = Digest.sha256(of: data)
        try await fixture.run { client in
            let response = try await client.execute(
                uri: "/v2/team/app/blobs/uploads/?digest=\(digest)", method: .post, body: data.buffer)
            #expect(response.status == .created)
            #expect(response.headers[.location] == "/v2/team/app/blobs/\(digest)")
            #expect(response.headers[.dockerContentDigest] == digest.description)
        }
        #expect(try fixture.store.layout(for: "team/app").blobSize(digest) == 9999)
    }

    @Test(arguments: StorageKind.allCases)
    func streamedPatchWithoutContentRangeAppends(storage: StorageKind) async throws {
        let fixture = try await ServeFixture(storage)
        defer { fixture.remove() }
        let data = randomBytes(50_000)
        try await fixture.run(.live) { client in
            let location = try await UploadTests.start(client)
            let patch = try await client.execute(uri: location, method: .patch, body: data.buffer)
            #expect(patch.status == .accepted)
            #expect(patch.headers[.range] == "0-49999")
            let put = try await client.execute(uri: "\(location)?digest=\(Digest.sha256(of: data))", method: .put)
            #expect(put.status == .created)
        }
    }

    @Test(arguments: StorageKind.allCases)
    func digestMismatchOnFinishIs400AndLeavesNothingVisible(storage: StorageKind) async throws {
        let fixture = try await ServeFixture(storage)
        defer { fixture.remove() }
        let data = randomBytes(4000)
        let wrong = Digest.sha256(of: Data("something else".utf8))
        try await fixture.run { client in
            // Make the repository exist, so fsck has a layout to check.
            try await client.pushBlob(randomBytes(10), to: "app")
            let location = try await UploadTests.start(client)
            #expect(try await UploadTests.patch(client, location, data, from: 0).status == .accepted)
            let put = try await client.execute(uri: "\(location)?digest=\(wrong)", method: .put)
            #expect(put.status == .badRequest)
            #expect(put.errorCode == .digestInvalid)
            #expect(try await client.execute(uri: "/v2/app/blobs/\(wrong)", method: .head).status == .notFound)
            let actual = Digest.sha256(of: data)
            #expect(try await client.execute(uri: "/v2/app/blobs/\(actual)", method: .head).status == .notFound)
            // The session is gone.
            #expect(try await client.execute(uri: location, method: .get).status == .notFound)
            // A single POST with the wrong digest fails the same way.
            let post = try await client.execute(
                uri: "/v2/app/blobs/uploads/?digest=\(wrong)", method: .post, body: data.buffer)
            #expect(post.status == .badRequest)
            #expect(post.errorCode == .digestInvalid)
        }
        let layout = try fixture.store.layout(for: "app")
        #expect(layout.blobSize(Digest.sha256(of: data)) == nil)
        #expect(try layout.check().isClean)
        #expect(FileSystem.list(fixture.root + "/.ocitool/uploads").isEmpty)
    }

    @Test(arguments: StorageKind.allCases)
    func cancelRemovesTheSessionWith204(storage: StorageKind) async throws {
        let fixture = try await ServeFixture(storage)
        defer { fixture.remove() }
        try await fixture.run { client in
            let location = try await UploadTests.start(client)
            #expect(try await UploadTests.patch(client, location, randomBytes(100), from: 0).status == .accepted)
            let cancel = try await client.execute(uri: location, method: .delete)
            #expect(cancel.status == .noContent)
            let status = try await client.execute(uri: location, method: .get)
            #expect(status.status == .notFound)
            #expect(status.errorCode == .blobUploadUnknown)
        }
        #expect(FileSystem.list(fixture.root + "/.ocitool/uploads").isEmpty)
    }

    @Test(arguments: StorageKind.allCases)
    func unknownSessionIs404BlobUploadUnknown(storage: StorageKind) async throws {
        let fixture = try await ServeFixture(storage)
        defer { fixture.remove() }
        try await fixture.run { client in
            for id in [UUID().uuidString.lowercased(), "not-a-uuid", "%2e%2e"] {
                let response = try await client.execute(uri: "/v2/app/blobs/uploads/\(id)", method: .get)
                #expect(response.status == .notFound, "\(id)")
                #expect(response.errorCode == .blobUploadUnknown, "\(id)")
            }
            // A session is bound to its repository.
            let location = try await UploadTests.start(client, "one")
            let id = location.split(separator: "/").last.map(String.init) ?? ""
            let other = try await client.execute(uri: "/v2/two/blobs/uploads/\(id)", method: .get)
            #expect(other.status == .notFound)
        }
    }

    @Test(arguments: StorageKind.allCases)
    func sessionResumesAfterARestart(storage: StorageKind) async throws {
        let fixture = try await ServeFixture(storage)
        defer { fixture.remove() }
        let data = randomBytes(200_000)
        let location = try await fixture.run { client in
            let location = try await UploadTests.start(client)
            #expect(try await UploadTests.patch(client, location, data[0..<120_000], from: 0).status == .accepted)
            return location
        }
        // A new application on the same root: nothing of the first one's memory survives.
        try await fixture.run { client in
            let status = try await client.execute(uri: location, method: .get)
            #expect(status.status == .noContent)
            #expect(status.headers[.range] == "0-119999")
            #expect(try await UploadTests.patch(client, location, data[120_000...], from: 120_000).status == .accepted)
            let digest = Digest.sha256(of: data)
            let put = try await client.execute(uri: "\(location)?digest=\(digest)", method: .put)
            #expect(put.status == .created)
            #expect(try await client.execute(uri: "/v2/app/blobs/\(digest)", method: .get).body.data == data)
        }
    }

    /// File store only: the sweeper works on the server's own session directory under the root, which is local
    /// whatever the storage (the expiry seen through HTTP runs on both, below).
    @Test func sweeperRemovesExpiredSessions() async throws {
        let fixture = ServeFixture()
        defer { fixture.remove() }
        let uploads = fixture.root + "/.ocitool/uploads"
        // An expiry long enough that the PATCH right after the POST lands within it even on a loaded machine (2 s
        // did not always, beside the Ceph-backed suites).
        try await fixture.run(configure: {
            $0.uploadExpiry = .seconds(8)
            $0.sweepInterval = .milliseconds(100)
        }) { client in
            let location = try await UploadTests.start(client)
            #expect(try await UploadTests.patch(client, location, randomBytes(100), from: 0).status == .accepted)
            // No request touches the session again: only the sweeper can remove its directory.
            let deadline = ContinuousClock.now + .seconds(40)
            while !FileSystem.list(uploads).isEmpty, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(FileSystem.list(uploads).isEmpty)
            #expect(try await client.execute(uri: location, method: .get).status == .notFound)
        }
    }

    @Test(arguments: StorageKind.allCases)
    func expiredSessionIsUnknownEvenBeforeTheSweeperRuns(storage: StorageKind) async throws {
        let fixture = try await ServeFixture(storage)
        defer { fixture.remove() }
        try await fixture.run(configure: {
            $0.uploadExpiry = .milliseconds(100)
            $0.sweepInterval = .seconds(3600)
        }) { client in
            let location = try await UploadTests.start(client)
            try await Task.sleep(for: .milliseconds(200))
            #expect(try await client.execute(uri: location, method: .get).status == .notFound)
        }
    }
}
