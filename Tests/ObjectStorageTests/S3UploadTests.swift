// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
@testable import ObjectStorage
import TestSupport
import Testing

/// Upload sessions kept in the bucket, against radosgw: a chunked upload goes on through whichever server the
/// next request reaches (each server its own `UploadSessions` over its own view of the bucket, as replicas
/// have), its digest is always checked, two servers never both advance one session, and the sweeper leaves
/// nothing behind, multipart uploads included.
@Suite(.serialized) struct S3UploadTests {
    let scratch = TestScratch.directory("ocitool-s3-uploads")
    let cluster: CephCluster
    let bucket = "uploads-\(UUID().uuidString.lowercased().prefix(16))"
    static let mebibyte = 1 << 20

    init() throws {
        cluster = try CephCluster.shared()
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        try backend(replica: "setup").createBucket()
    }

    func backend(replica: String) throws -> S3Store {
        try S3Store.open(
            "s3://\(bucket)/prod", endpoint: cluster.endpoint, region: nil,
            stagingDirectory: scratch.path + "/staging-" + replica, environment: cluster.environment)
    }

    /// One server: its sessions over its own client of the bucket, its private state in its own directory.
    func replica(_ name: String) throws -> UploadSessions {
        UploadSessions(store: Store(root: scratch.path + "/state-" + name, backend: try backend(replica: name)))
    }

    var client: S3Client { get throws { try backend(replica: "check").client } }

    /// What the bucket holds under `uploads/`: objects and multipart uploads in progress.
    func leftovers() throws -> (objects: [String], multipart: [String]) {
        let prefix = try client.location.key("uploads/")
        return (
            try client.list(prefix: prefix).map(\.key), try client.listMultipartUploads(prefix: prefix).map(\.key)
        )
    }

    static func content(_ count: Int) -> Data { Data((0..<count).map { _ in UInt8.random(in: 0...255) }) }

    /// Appends `bytes` to session `id` through `sessions` as one chunk request: checkout, append, save, checkin.
    func patch(_ sessions: UploadSessions, _ id: String, _ bytes: Data, expectedOffset: Int) async throws {
        let session = try await sessions.checkout(id, repository: "team/app")
        #expect(session.offset == Int64(expectedOffset))
        try session.append([UInt8](bytes))
        try session.saveState()
        await sessions.checkin(session)
    }

    @Test func aChunkedUploadGoesOnThroughWhicheverServerTheNextChunkReaches() async throws {
        let servers = [try replica("a"), try replica("b")]
        // Three parts' worth and a tail, in chunks that do not fall on part boundaries.
        let content = Self.content(21 * Self.mebibyte + 123)
        let session = try await servers[0].start(repository: "team/app")
        await servers[0].checkin(session)
        let chunk = 3 * Self.mebibyte
        for (index, start) in stride(from: 0, to: content.count, by: chunk).enumerated() {
            let bytes = content[start..<min(start + chunk, content.count)]
            try await patch(servers[index % 2], session.id, Data(bytes), expectedOffset: start)
        }
        let digest = Digest.sha256(of: content)
        let last = try await servers[0].checkout(session.id, repository: "team/app")
        #expect(last.offset == Int64(content.count))
        #expect(try await servers[0].complete(last, expected: digest) == Int64(content.count))
        for server in servers {
            #expect(try server.store.layout(for: "team/app").readBlob(digest, limit: 64 << 20) == content)
        }
        #expect(try leftovers().objects.isEmpty)
        #expect(try leftovers().multipart.isEmpty)
    }

    @Test func aDigestThatDoesNotMatchLeavesNothingVisible() async throws {
        let server = try replica("a")
        let content = Self.content(9 * Self.mebibyte)
        let session = try await server.start(repository: "team/app")
        try session.append([UInt8](content))
        let claimed = Digest.sha256(of: Data("something else".utf8))
        let mismatch = UploadError.layout(.digestMismatch(expected: claimed, actual: Digest.sha256(of: content)))
        await #expect(throws: mismatch) {
            try await server.complete(session, expected: claimed)
        }
        let storage = server.store.backend!.storage(for: "team/app")
        #expect(storage.size(of: claimed) == nil)
        #expect(storage.size(of: Digest.sha256(of: content)) == nil)
        #expect(try leftovers().objects.isEmpty)
        #expect(try leftovers().multipart.isEmpty)
    }

    @Test func twoServersNeverBothAdvanceOneSession() async throws {
        let (a, b) = (try replica("a"), try replica("b"))
        let first = Self.content(Self.mebibyte)
        let session = try await a.start(repository: "team/app")
        await a.checkin(session)
        // Both servers hold the session at once (a client misbehaving, or a retry through the other replica).
        let onA = try await a.checkout(session.id, repository: "team/app")
        let onB = try await b.checkout(session.id, repository: "team/app")
        try onA.append([UInt8](first))
        try onB.append([UInt8](Self.content(2 * Self.mebibyte)))
        try onA.saveState()
        #expect(throws: LayoutError.self) { try onB.saveState() }
        #expect(!onB.ownsStoredData)
        await b.discard(onB)
        await a.checkin(onA)
        // The winner's bytes stand, and the upload goes on through the server that lost.
        let rest = Self.content(Self.mebibyte)
        try await patch(b, session.id, rest, expectedOffset: first.count)
        let last = try await b.checkout(session.id, repository: "team/app")
        try await b.complete(last, expected: Digest.sha256(of: first + rest))
        let blob = try b.store.layout(for: "team/app").readBlob(Digest.sha256(of: first + rest), limit: 64 << 20)
        #expect(blob == first + rest)
    }

    @Test(arguments: [Self.mebibyte, 9 * Self.mebibyte])
    func aDigestOfAnotherAlgorithmIsCheckedByReadingTheContentOnce(size: Int) async throws {
        let server = try replica("a")
        let content = Self.content(size)
        let hasher = DigestHasher(.sha512)
        hasher.update(content)
        let digest = hasher.finalize()
        let session = try await server.start(repository: "team/app")
        try session.append([UInt8](content))
        try await server.complete(session, expected: digest)
        #expect(try server.store.layout(for: "team/app").readBlob(digest, limit: 64 << 20) == content)
    }

    @Test func theSweeperRemovesStaleSessionsAndMultipartUploadsNoSessionRecorded() async throws {
        let a = try replica("a")
        let session = try await a.start(repository: "team/app")
        try session.append([UInt8](Self.content(9 * Self.mebibyte)))
        try session.saveState()
        await a.checkin(session)
        // A server killed after starting a multipart upload, before any record named it.
        let orphan = try client.location.key("uploads/\(UUID().uuidString.lowercased())/data")
        _ = try client.createMultipartUpload(orphan)
        #expect(try leftovers().multipart.count == 2)
        // Another server (or this one after a restart) sweeps: nothing is stale yet, then everything is.
        let b = try replica("b")
        #expect(await b.sweep(now: Date()) == [])
        #expect(try leftovers().multipart.count == 2)
        #expect(await b.sweep(now: Date().addingTimeInterval(b.expiry + 60)) == [session.id])
        #expect(try leftovers().objects.isEmpty)
        #expect(try leftovers().multipart.isEmpty)
        await #expect(throws: UploadError.unknown(session.id)) {
            try await a.checkout(session.id, repository: "team/app")
        }
    }
}

extension S3UploadTests {
    @Test func savedBytesChangedInTheBucketNeverBecomePartOfTheBlob() async throws {
        let server = try replica("a")
        let session = try await server.start(repository: "team/app")
        let first = Self.content(Self.mebibyte)
        try session.append([UInt8](first))
        try session.saveState()
        await server.checkin(session)
        // Someone with write access to the bucket rewrites the saved chunk.
        let chunk = try #require(try leftovers().objects.first { $0.contains("/chunk-") })
        _ = try client.put(chunk, data: Self.content(Self.mebibyte))
        let resumed = try await server.checkout(session.id, repository: "team/app")
        let rest = Self.content(8 * Self.mebibyte)
        try resumed.append([UInt8](rest))
        let error = await #expect(throws: UploadError.self) {
            try await server.complete(resumed, expected: Digest.sha256(of: first + rest))
        }
        #expect(error?.description.contains("missing or changed") == true)
        #expect(server.store.backend!.storage(for: "team/app").size(of: Digest.sha256(of: first + rest)) == nil)
    }
}
