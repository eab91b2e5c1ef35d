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

    init() async throws {
        cluster = try await onOwnThread { try CephCluster.shared() }
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let setup = try backend(replica: "setup", probed: false)
        try await onOwnThread { try setup.createBucket() }
    }

    /// A server's view of the bucket, probed as `serve` probes it (radosgw checks payload hashes, so blobs named
    /// up front stream straight to their key).
    func backend(replica: String, probed: Bool = true) throws -> S3Store {
        var store = try S3Store.open(
            "s3://\(bucket)/prod", endpoint: cluster.endpoint, region: nil,
            stagingDirectory: scratch.path + "/staging-" + replica, environment: cluster.environment)
        if probed, let refusal = try store.probe() { throw LayoutError.unsupported(refusal) }
        return store
    }

    /// One server: its sessions over its own client of the bucket, its private state in its own directory, its
    /// store work on threads of its own.
    func replica(_ name: String) async throws -> UploadSessions {
        let probed: S3Store = try await onOwnThread { [self] in try backend(replica: name) }
        let store = Store(root: scratch.path + "/state-" + name, backend: probed)
        return UploadSessions(store: store, runner: ThreadRunner())
    }

    var client: S3Client { get throws { try backend(replica: "check", probed: false).client } }

    /// What the bucket holds under `uploads/`: objects and multipart uploads in progress.
    func leftovers() async throws -> (objects: [String], multipart: [String]) {
        let client = try client
        let prefix = client.location.key("uploads/")
        return try await onOwnThread {
            (try client.list(prefix: prefix).map(\.key), try client.listMultipartUploads(prefix: prefix).map(\.key))
        }
    }

    /// Appends `bytes` to a checked-out session as a request would (blocking work: on a thread of its own).
    func append(_ bytes: Data, to session: any UploadSession, saving: Bool = false) async throws {
        try await onOwnThread {
            try session.append([UInt8](bytes))
            if saving { try session.saveState() }
        }
    }

    static func content(_ count: Int) -> Data { Data((0..<count).map { _ in UInt8.random(in: 0...255) }) }

    /// Appends `bytes` to session `id` through `sessions` as one chunk request: checkout, append, save, checkin.
    func patch(_ sessions: UploadSessions, _ id: String, _ bytes: Data, expectedOffset: Int) async throws {
        let session = try await sessions.checkout(id, repository: "team/app")
        #expect(session.offset == Int64(expectedOffset))
        try await append(bytes, to: session, saving: true)
        await sessions.checkin(session)
    }

    @Test func aChunkedUploadGoesOnThroughWhicheverServerTheNextChunkReaches() async throws {
        let servers = [try await replica("a"), try await replica("b")]
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
        #expect(try await leftovers().objects.isEmpty)
        #expect(try await leftovers().multipart.isEmpty)
    }

    @Test func aDigestThatDoesNotMatchLeavesNothingVisible() async throws {
        let server = try await replica("a")
        let content = Self.content(9 * Self.mebibyte)
        let session = try await server.start(repository: "team/app")
        try await append(content, to: session)
        let claimed = Digest.sha256(of: Data("something else".utf8))
        let mismatch = UploadError.layout(.digestMismatch(expected: claimed, actual: Digest.sha256(of: content)))
        await #expect(throws: mismatch) {
            try await server.complete(session, expected: claimed)
        }
        let storage = server.store.backend!.storage(for: "team/app")
        #expect(storage.size(of: claimed) == nil)
        #expect(storage.size(of: Digest.sha256(of: content)) == nil)
        #expect(try await leftovers().objects.isEmpty)
        #expect(try await leftovers().multipart.isEmpty)
    }

    @Test func twoServersNeverBothAdvanceOneSession() async throws {
        let (a, b) = (try await replica("a"), try await replica("b"))
        let first = Self.content(Self.mebibyte)
        let session = try await a.start(repository: "team/app")
        await a.checkin(session)
        // Both servers hold the session at once (a client misbehaving, or a retry through the other replica).
        let onA = try await a.checkout(session.id, repository: "team/app")
        let onB = try await b.checkout(session.id, repository: "team/app")
        try await append(first, to: onA)
        try await append(Self.content(2 * Self.mebibyte), to: onB)
        try await onOwnThread { try onA.saveState() }
        await #expect(throws: LayoutError.self) { try await onOwnThread { try onB.saveState() } }
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
        let server = try await replica("a")
        let content = Self.content(size)
        let hasher = DigestHasher(.sha512)
        hasher.update(content)
        let digest = hasher.finalize()
        let session = try await server.start(repository: "team/app")
        try await append(content, to: session)
        try await server.complete(session, expected: digest)
        #expect(try server.store.layout(for: "team/app").readBlob(digest, limit: 64 << 20) == content)
    }

    @Test func theSweeperRemovesStaleSessionsAndMultipartUploadsNoSessionRecorded() async throws {
        let a = try await replica("a")
        let session = try await a.start(repository: "team/app")
        try await append(Self.content(9 * Self.mebibyte), to: session)
        try await onOwnThread { try session.saveState() }
        await a.checkin(session)
        // A server killed after starting a multipart upload, before any record named it.
        let orphan = try client.location.key("uploads/\(UUID().uuidString.lowercased())/data")
        _ = try client.createMultipartUpload(orphan)
        #expect(try await leftovers().multipart.count == 2)
        // Another server (or this one after a restart) sweeps: nothing is stale yet, then everything is.
        let b = try await replica("b")
        #expect(await b.sweep(now: Date()) == [])
        #expect(try await leftovers().multipart.count == 2)
        // However old, the multipart upload a live session recorded is its own: only the orphan goes.
        let area = b.area
        let later = Date().addingTimeInterval(60)
        #expect(await ThreadRunner().run { area.sweepLeftovers(olderThan: 0, now: later) } == 1)
        #expect(try await leftovers().multipart.count == 1)
        #expect(await b.sweep(now: Date().addingTimeInterval(b.expiry + 60)) == [session.id])
        #expect(try await leftovers().objects.isEmpty)
        #expect(try await leftovers().multipart.isEmpty)
        await #expect(throws: UploadError.unknown(session.id)) {
            try await a.checkout(session.id, repository: "team/app")
        }
    }
}

extension S3UploadTests {
    @Test func savedBytesChangedInTheBucketNeverBecomePartOfTheBlob() async throws {
        let server = try await replica("a")
        let session = try await server.start(repository: "team/app")
        let first = Self.content(Self.mebibyte)
        try await append(first, to: session)
        try await onOwnThread { try session.saveState() }
        await server.checkin(session)
        // Someone with write access to the bucket rewrites the saved chunk.
        let chunk = try #require(try await leftovers().objects.first { $0.contains("/chunk-") })
        _ = try client.put(chunk, data: Self.content(Self.mebibyte))
        let resumed = try await server.checkout(session.id, repository: "team/app")
        let rest = Self.content(8 * Self.mebibyte)
        try await append(rest, to: resumed)
        let error = await #expect(throws: UploadError.self) {
            try await server.complete(resumed, expected: Digest.sha256(of: first + rest))
        }
        #expect(error?.description.contains("missing or changed") == true)
        #expect(server.store.backend!.storage(for: "team/app").size(of: Digest.sha256(of: first + rest)) == nil)
    }
}

/// Blobs whose digest and length the client named before the first byte (a monolithic `PUT ?digest=`): one
/// `PUT` straight to the blob's key, checked by the bucket against the signed payload hash.
extension S3UploadTests {
    @Test func aBlobNamedUpFrontStreamsStraightToItsKey() async throws {
        let server = try await replica("a")
        let content = Self.content(9 * Self.mebibyte + 5)
        let digest = Digest.sha256(of: content)
        let session = try await server.start(repository: "team/app")
        await ThreadRunner().run { session.expectWhole(digest, length: Int64(content.count)) }
        try await append(content, to: session)
        try await server.complete(session, expected: digest)
        #expect(try server.store.layout(for: "team/app").readBlob(digest, limit: 64 << 20) == content)
        // One PUT: a plain MD5 ETag, where an object assembled from parts has `-<count>`.
        let object = try #require(try client.head(try client.location.key(digest.blobPath)))
        #expect(!object.etag.contains("-"))
        #expect(try await leftovers().objects.isEmpty)
        #expect(try await leftovers().multipart.isEmpty)
    }

    @Test func bytesThatAreNotTheNamedBlobAreRefusedByTheBucket() async throws {
        let server = try await replica("a")
        let content = Self.content(2 * Self.mebibyte)
        let claimed = Digest.sha256(of: Self.content(2 * Self.mebibyte))
        let session = try await server.start(repository: "team/app")
        await ThreadRunner().run { session.expectWhole(claimed, length: Int64(content.count)) }
        try await append(content, to: session)
        await #expect(throws: UploadError.layout(.contentRefused(claimed, by: try client.objectName(
            try client.location.key(claimed.blobPath))))) {
            try await server.complete(session, expected: claimed)
        }
        let storage = server.store.backend!.storage(for: "team/app")
        #expect(storage.size(of: claimed) == nil)
        #expect(try client.head(try client.location.key(claimed.blobPath)) == nil)
    }

    @Test func aRequestThatBreaksOffStoresNothing() async throws {
        let server = try await replica("a")
        let content = Self.content(2 * Self.mebibyte)
        let digest = Digest.sha256(of: content)
        let session = try await server.start(repository: "team/app")
        await ThreadRunner().run { session.expectWhole(digest, length: Int64(content.count)) }
        try await append(Data(content.prefix(Self.mebibyte)), to: session)
        // The request ends short: the session hands back nothing it could go on with.
        await server.checkin(session)
        await #expect(throws: UploadError.unknown(session.id)) {
            try await server.checkout(session.id, repository: "team/app")
        }
        #expect(try client.head(try client.location.key(digest.blobPath)) == nil)
        #expect(try await leftovers().objects.isEmpty)
    }
}
