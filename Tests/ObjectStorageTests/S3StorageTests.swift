// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
@testable import ObjectStorage
import TestSupport
import Testing

/// `S3Storage` against radosgw (a real Ceph started by `scripts/ceph.sh`): blobs, links and the index's
/// compare-and-swap, each on a bucket of its own.
@Suite(.serialized) struct S3StorageTests {
    let scratch = TestScratch.directory("ocitool-s3")
    let cluster: CephCluster
    let client: S3Client

    init() throws {
        cluster = try CephCluster.shared()
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let bucket = "test-\(UUID().uuidString.lowercased().prefix(18))"
        let location = try S3Location("s3://\(bucket)/store", endpoint: cluster.endpoint, environment: [:])
        client = S3Client(location: location, credentials: try S3Credentials.resolve(environment: cluster.environment))
        try client.createBucket()
    }

    func storage(_ repository: String) -> S3Storage {
        S3Storage(client: client, repository: repository, stagingDirectory: scratch.path)
    }

    /// Stages and commits `data` through the storage's ingest.
    @discardableResult
    func put(_ data: Data, in storage: S3Storage) throws -> Digest {
        let ingest = try storage.makeIngest(algorithm: .sha256)
        try data.withUnsafeBytes { try ingest.write($0) }
        let staged = try ingest.finish(expected: nil, expectedSize: nil)
        try staged.commit()
        return staged.digest
    }

    func read(_ digest: Digest, from storage: S3Storage, at offset: Int64 = 0, count: Int) throws -> Data {
        let handle = try storage.open(digest)
        var buffer = [UInt8](repeating: 0, count: count)
        let read = try buffer.withUnsafeMutableBytes { try handle.read(into: $0, at: offset) }
        return Data(buffer.prefix(read))
    }

    @Test func blobRoundTripWithRangedReads() throws {
        let store = storage("team/app")
        let data = Data((0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 7) })
        let digest = try put(data, in: store)
        #expect(digest == Digest.sha256(of: data))
        #expect(store.size(of: digest) == Int64(data.count))
        #expect(try store.open(digest).size == Int64(data.count))
        #expect(try read(digest, from: store, count: data.count) == data)
        #expect(try read(digest, from: store, at: 299_990, count: 100) == data.suffix(10))
        #expect(try read(digest, from: store, at: 300_000, count: 100).isEmpty)
        #expect(store.list() == [digest])
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path).isEmpty, "staging files left")
        try store.delete(digest)
        #expect(store.size(of: digest) == nil)
        #expect(throws: LayoutError.blobNotFound(digest)) { try store.open(digest) }
        try store.delete(digest)
    }

    @Test func aBlobIsReadableOnlyThroughRepositoriesThatHoldIt() throws {
        let first = storage("first")
        let second = storage("second")
        let data = Data("shared layer".utf8)
        let digest = try put(data, in: first)
        #expect(second.size(of: digest) == nil)
        #expect(throws: LayoutError.blobNotFound(digest)) { try second.open(digest) }
        #expect(second.list().isEmpty)
        try put(data, in: second)
        #expect(try read(digest, from: second, count: 64) == data)
        let stored = try client.list(prefix: client.location.key("blobs/"))
        #expect(stored.map(\.key) == [client.location.key(digest.blobPath)], "the bytes are stored once per bucket")
    }

    @Test func contentThatDoesNotMatchItsDigestNeverBecomesVisible() throws {
        let store = storage("app")
        let ingest = try store.makeIngest(algorithm: .sha256)
        try Data("actual".utf8).withUnsafeBytes { try ingest.write($0) }
        let wrong = Digest.sha256(of: Data("claimed".utf8))
        #expect(throws: LayoutError.digestMismatch(expected: wrong, actual: Digest.sha256(of: Data("actual".utf8)))) {
            try ingest.finish(expected: wrong, expectedSize: nil)
        }
        #expect(store.list().isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path).isEmpty)
    }

    /// The server checks the signed payload hash: bytes changed on disk between hashing and upload are refused
    /// by radosgw itself, and neither the blob nor the link appears.
    @Test func theServerRefusesBytesThatDoNotHashToTheDigest() throws {
        let store = storage("app")
        let ingest = try store.makeIngest(algorithm: .sha256)
        try Data("original bytes".utf8).withUnsafeBytes { try ingest.write($0) }
        let staged = try ingest.finish(expected: nil, expectedSize: nil)
        let path = try #require(try FileManager.default.contentsOfDirectory(atPath: scratch.path).first)
        try Data("tampered bytes".utf8).write(to: scratch.appendingPathComponent(path))
        #expect {
            try staged.commit()
        } throws: { error in
            "\(error)".contains("XAmzContentSHA256Mismatch") || "\(error)".contains("BadDigest")
        }
        #expect(store.size(of: staged.digest) == nil)
        #expect(try client.list(prefix: client.location.key("blobs/")).isEmpty)
    }

    /// A storage that uploads anything over 6 MiB in 5 MiB parts.
    func multipartStorage(_ repository: String) -> S3Storage {
        S3Storage(
            client: client, repository: repository, stagingDirectory: scratch.path, multipartThreshold: 6 << 20,
            partSize: 5 << 20)
    }

    @Test func largeBlobsAreUploadedInPartsAndReadBackWhole() throws {
        let store = multipartStorage("big")
        let data = Data((0..<(12 << 20) + 3).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 13) })
        let digest = try put(data, in: store)
        #expect(store.size(of: digest) == Int64(data.count))
        let handle = try store.open(digest)
        let hasher = DigestHasher(.sha256)
        var offset: Int64 = 0
        var buffer = [UInt8](repeating: 0, count: 4 << 20)
        while true {
            let count = try buffer.withUnsafeMutableBytes { try handle.read(into: $0, at: offset) }
            if count == 0 { break }
            buffer.withUnsafeBytes { hasher.update(UnsafeRawBufferPointer(rebasing: $0[..<count])) }
            offset += Int64(count)
        }
        #expect(offset == Int64(data.count))
        #expect(hasher.finalize() == digest)
        #expect(try client.listMultipartUploads(prefix: client.location.prefix).isEmpty)
    }

    /// A staged file changed after it was hashed is caught before any part is uploaded (parts are only checked
    /// by their own hashes), and no multipart upload is left behind.
    @Test func aLargeBlobChangedOnDiskNeverBecomesVisible() throws {
        let store = multipartStorage("big")
        let data = Data(repeating: 7, count: 7 << 20)
        let ingest = try store.makeIngest(algorithm: .sha256)
        try data.withUnsafeBytes { try ingest.write($0) }
        let staged = try ingest.finish(expected: nil, expectedSize: nil)
        let path = try #require(try FileManager.default.contentsOfDirectory(atPath: scratch.path).first)
        var changed = data
        changed[6 << 20] = 8
        try changed.write(to: scratch.appendingPathComponent(path))
        #expect(throws: LayoutError.digestMismatch(expected: staged.digest, actual: Digest.sha256(of: changed))) {
            try staged.commit()
        }
        #expect(store.size(of: staged.digest) == nil)
        #expect(try client.list(prefix: client.location.key("blobs/")).isEmpty)
        #expect(try client.listMultipartUploads(prefix: client.location.prefix).isEmpty)
    }

    /// The server checks each part against its signed hash.
    @Test func aPartThatDoesNotMatchItsHashIsRefused() throws {
        let key = client.location.key("parts")
        let path = scratch.appendingPathComponent("part").path
        try Data(repeating: 1, count: 1024).write(to: URL(fileURLWithPath: path))
        let file = try FileDescriptor(path: path, flags: O_RDONLY)
        let id = try client.createMultipartUpload(key)
        #expect(try client.listMultipartUploads(prefix: client.location.prefix).map(\.uploadID) == [id])
        #expect {
            try client.uploadPart(
                key, uploadID: id, number: 1, file: file, offset: 0, length: 1024,
                payloadHash: Digest.sha256(of: Data(repeating: 2, count: 1024)).encoded)
        } throws: { error in
            "\(error)".contains("XAmzContentSHA256Mismatch") || "\(error)".contains("BadDigest")
        }
        try client.abortMultipartUpload(key, uploadID: id)
        #expect(try client.listMultipartUploads(prefix: client.location.prefix).isEmpty)
    }

    @Test func indexIsReplacedOnlyFromTheVersionTheWriterRead() throws {
        let store = storage("app")
        #expect(store.indexVersion() == nil)
        #expect(try store.readIndex(limit: 1024) == nil)
        let first = try #require(try store.replaceIndex(with: Data("one".utf8), ifVersion: nil))
        #expect(try store.replaceIndex(with: Data("lost".utf8), ifVersion: nil) == nil, "created twice")
        #expect(store.indexVersion() == first)
        let second = try #require(try store.replaceIndex(with: Data("two".utf8), ifVersion: first))
        #expect(second != first)
        #expect(try store.replaceIndex(with: Data("stale".utf8), ifVersion: first) == nil, "written from a stale read")
        let current = try #require(try store.readIndex(limit: 1024))
        #expect(current.data == Data("two".utf8))
        #expect(current.version == second)
        #expect(throws: LayoutError.self) { try store.readIndex(limit: 2) }
    }

    /// Eight writers append to one index at once, each by read, modify and compare-and-swap with retry: no
    /// entry is lost, with no lock anywhere.
    @Test func concurrentWritersLoseNothing() throws {
        let store = storage("app")
        let writers = 8
        let perWriter = 5
        DispatchQueue.concurrentPerform(iterations: writers) { (writer) in
            for entry in 0..<perWriter {
                while true {
                    let current = try? store.readIndex(limit: 1 << 20)
                    var lines = current.map { String(decoding: $0.data, as: UTF8.self) } ?? ""
                    lines += "\(writer)-\(entry)\n"
                    if (try? store.replaceIndex(with: Data(lines.utf8), ifVersion: current?.version)) != nil { break }
                }
            }
        }
        let final = try #require(try store.readIndex(limit: 1 << 20))
        let entries = String(decoding: final.data, as: UTF8.self).split(separator: "\n")
        #expect(entries.count == writers * perWriter)
        #expect(Set(entries).count == writers * perWriter)
    }

    @Test func wrongSecretIsRefusedWithTheServersReason() throws {
        let forged = S3Client(
            location: client.location,
            credentials: S3Credentials(accessKey: cluster.accessKey, secretKey: "not-the-secret", source: "test"))
        #expect {
            try forged.getData(client.location.key("anything"), limit: 1024)
        } throws: { error in
            guard case LayoutError.io(_, let object, let code) = error else { return false }
            return code == EACCES && object.contains("SignatureDoesNotMatch")
        }
        #expect {
            try forged.head(client.location.key("anything"))
        } throws: { error in
            guard case LayoutError.io(_, _, let code) = error else { return false }
            return code == EACCES
        }
    }

    @Test func anUnreachableEndpointIsAConnectionError() throws {
        let port = try LoopbackPort.free()
        let location = try S3Location("s3://bucket", endpoint: "http://127.0.0.1:\(port)", environment: [:])
        let offline = S3Client(
            location: location, credentials: S3Credentials(accessKey: "a", secretKey: "b", source: "test"))
        #expect {
            try offline.head("key")
        } throws: { error in
            guard case LayoutError.io(_, _, let code) = error else { return false }
            return code == ECONNREFUSED
        }
    }
}

/// The start-up probe, against radosgw and against what it refuses.
@Suite(.serialized) struct S3ProbeTests {
    let cluster: CephCluster

    init() throws { cluster = try CephCluster.shared() }

    func client(bucket: String, secret: String? = nil) throws -> S3Client {
        let location = try S3Location("s3://\(bucket)/probe", endpoint: cluster.endpoint, environment: [:])
        let credentials = S3Credentials(
            accessKey: cluster.accessKey, secretKey: secret ?? cluster.secretKey, source: "test")
        return S3Client(location: location, credentials: credentials)
    }

    @Test func radosgwHonoursConditionalWritesAndTheProbeLeavesNothing() throws {
        let client = try client(bucket: "probe-\(UUID().uuidString.lowercased().prefix(12))")
        try client.createBucket()
        let capabilities = try client.probe()
        #expect(capabilities.conditionalCreate)
        #expect(capabilities.conditionalReplace)
        #expect(capabilities.verifiesPayloadHash)
        #expect(capabilities.sharedWritersRefusal == nil)
        #expect(try client.list(prefix: "").isEmpty)
    }

    @Test func aMissingBucketIsNamed() throws {
        let client = try client(bucket: "no-such-bucket-\(UUID().uuidString.lowercased().prefix(8))")
        #expect {
            try client.probe()
        } throws: { error in
            guard case LayoutError.io(_, let object, _) = error else { return false }
            return object.contains("NoSuchBucket")
        }
    }

    @Test func refusedCredentialsAreNamed() throws {
        let client = try client(bucket: "probe-\(UUID().uuidString.lowercased().prefix(12))", secret: "wrong")
        #expect {
            try client.probe()
        } throws: { error in
            guard case LayoutError.io(_, let object, let code) = error else { return false }
            return code == EACCES && object.contains("SignatureDoesNotMatch")
        }
    }

    @Test func withoutConditionalWritesSharedWritersAreRefusedWithTheReason() {
        let none = S3Capabilities(conditionalCreate: false, conditionalReplace: true)
        #expect(!none.supportsSharedWriters)
        #expect(none.sharedWritersRefusal?.contains("If-None-Match") == true)
        #expect(none.sharedWritersRefusal?.contains("--single-replica") == true)
    }
}
