// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
@testable import Sync
import Testing
import TestSupport

/// Copies that resume across runs (issue 14): a pull goes on from the partial file an earlier run left, a
/// push from the upload session it recorded.
@Suite struct ResumeTests {
    static let layerSize = 1_000_003

    /// A fake registry holding a one-layer image `app:1.0` and the layer's descriptor and bytes.
    private func registry(with source: OCILayout) throws -> (FakeRegistry, Descriptor, Data) {
        let fake = try FakeRegistry()
        let image = try SyncFixtures.image(in: source, tag: "1.0", layers: [ResumeTests.layerSize])
        for digest in source.allBlobs() { fake.addBlob(try source.readBlob(digest, limit: 64 << 20)) }
        fake.addManifest(try source.readBlob(image.digest), mediaType: image.mediaType, tag: "1.0")
        guard case .image(let manifest) = try source.manifest(image).kind, let layer = manifest.layers.first else {
            throw SyncError.invalidArgument("not an image")
        }
        return (fake, layer, try source.readBlob(layer.digest, limit: 64 << 20))
    }

    /// Runs `body` with a source layout holding a one-layer image, an empty target layout, and a fake
    /// registry serving the image (see `registry(with:)`); all removed afterwards.
    private func withPullFixture(
        _ body: (OCILayout, OCILayout, FakeRegistry, Descriptor, Data) throws -> Void
    ) throws {
        let source = try SyncFixtures.layout()
        let target = try SyncFixtures.layout()
        defer { SyncFixtures.remove(source, target) }
        let (fake, layer, bytes) = try registry(with: source)
        defer { fake.stop() }
        try body(source, target, fake, layer, bytes)
    }

    private func partialPath(_ layout: OCILayout, _ digest: Digest) -> String {
        "\(layout.path)/.ocitool/tmp/partial-\(digest.algorithm.rawValue)-\(digest.encoded)"
    }

    private func gets(_ fake: FakeRegistry, _ digest: Digest) -> [FakeRequest] {
        fake.requests.filter { $0.method == "GET" && $0.path.hasSuffix("/blobs/\(digest)") }
    }

    @Test func aFailedPullLeavesItsBytesAndTheNextOneFetchesTheRest() throws {
        try withPullFixture { source, target, fake, layer, bytes in
            fake.fault.withLock {
                $0 = { request, earlier in
                    guard request.method == "GET", request.path.hasSuffix("/blobs/\(layer.digest)"), earlier == 0 else { return nil }
                    return FakeReply(status: 200, body: bytes, cutAfter: 400_000)
                }
            }
            let once = RemoteRegistry(client: fake.client(retry: RetryPolicy(maxAttempts: 1)), repository: "app")
            #expect(throws: SyncError.self) { try ImageCopy(from: once, to: LayoutEndpoint(target)).copy(.tag("1.0"), tag: "1.0") }
            #expect(FileSystem.fileSize(partialPath(target, layer.digest)) == 400_000)
            #expect(try target.check().isClean)

            let remote = RemoteRegistry(client: fake.client(), repository: "app")
            try ImageCopy(from: remote, to: LayoutEndpoint(target)).copy(.tag("1.0"), tag: "1.0")
            #expect(gets(fake, layer.digest).last?.headers["range"] == "bytes=400000-")
            #expect(try target.readBlob(layer.digest, limit: 64 << 20) == bytes)
            #expect(FileSystem.fileSize(partialPath(target, layer.digest)) == nil)
            #expect(try target.check().isClean)
        }
    }

    @Test func aServerIgnoringRangeStartsThePartialFileOver() throws {
        try withPullFixture { source, target, fake, layer, bytes in
            fake.ignoreRange.withLock { $0 = true }
            // Not even the blob's bytes: a 200 replaces them all.
            try FileManager.default.createDirectory(atPath: target.path + "/.ocitool/tmp", withIntermediateDirectories: true)
            try SyncFixtures.randomBytes(300_000).write(to: URL(fileURLWithPath: partialPath(target, layer.digest)))

            try ImageCopy(from: RemoteRegistry(client: fake.client(), repository: "app"), to: LayoutEndpoint(target))
                .copy(.tag("1.0"), tag: "1.0")
            #expect(gets(fake, layer.digest).map { $0.headers["range"] } == ["bytes=300000-"])
            #expect(try target.readBlob(layer.digest, limit: 64 << 20) == bytes)
            #expect(try target.check().isClean)
        }
    }

    @Test func aPartialAnswerStartingElsewhereIsRefused() throws {
        try withPullFixture { source, target, fake, layer, bytes in
            fake.fault.withLock {
                $0 = { request, _ in
                    guard request.method == "GET", request.headers["range"] != nil else { return nil }
                    return FakeReply(
                        status: 206, headers: [("Content-Range", "bytes 0-\(bytes.count - 1)/\(bytes.count)")], body: bytes)
                }
            }
            try FileManager.default.createDirectory(atPath: target.path + "/.ocitool/tmp", withIntermediateDirectories: true)
            try bytes.prefix(300_000).write(to: URL(fileURLWithPath: partialPath(target, layer.digest)))

            let remote = RemoteRegistry(client: fake.client(), repository: "app")
            #expect(throws: SyncError.self) { try ImageCopy(from: remote, to: LayoutEndpoint(target)).copy(.tag("1.0"), tag: "1.0") }
            #expect(FileSystem.fileSize(partialPath(target, layer.digest)) == 300_000, "nothing was appended")
            #expect(target.blobSize(layer.digest) == nil)
        }
    }

    @Test func aPartialFileThatDoesNotVerifyIsDroppedAndTheBlobFetchedAgain() throws {
        try withPullFixture { source, target, fake, layer, bytes in
            try FileManager.default.createDirectory(atPath: target.path + "/.ocitool/tmp", withIntermediateDirectories: true)
            try SyncFixtures.randomBytes(300_000).write(to: URL(fileURLWithPath: partialPath(target, layer.digest)))

            try ImageCopy(from: RemoteRegistry(client: fake.client(), repository: "app"), to: LayoutEndpoint(target))
                .copy(.tag("1.0"), tag: "1.0")
            #expect(gets(fake, layer.digest).map { $0.headers["range"] } == ["bytes=300000-", nil])
            #expect(try target.readBlob(layer.digest, limit: 64 << 20) == bytes)
            #expect(FileSystem.fileSize(partialPath(target, layer.digest)) == nil)
        }
    }

    @Test func aPartialFileInUseIsLeftToItsOwner() throws {
        try withPullFixture { source, target, fake, layer, bytes in
            let owner = try #require(try BlobWriter.resuming(layer.digest, size: layer.size, in: target))
            try bytes.prefix(1000).withBytes { (chunk) throws(LayoutError) in try owner.write(chunk) }
            #expect(try BlobWriter.resuming(layer.digest, size: layer.size, in: target) == nil)

            try ImageCopy(from: RemoteRegistry(client: fake.client(), repository: "app"), to: LayoutEndpoint(target))
                .copy(.tag("1.0"), tag: "1.0")
            #expect(gets(fake, layer.digest).map { $0.headers["range"] } == [nil])
            #expect(try target.readBlob(layer.digest, limit: 64 << 20) == bytes)
            #expect(FileSystem.fileSize(partialPath(target, layer.digest)) == 1000, "the owner's file is untouched")
            withExtendedLifetime(owner) {}
        }
    }

    @Test func gcKeepsAPartialFileWhileItIsYoungOrInUse() throws {
        let layout = try SyncFixtures.layout()
        defer { SyncFixtures.remove(layout) }
        let digest = Digest.sha256(of: Data("x".utf8))
        let path = partialPath(layout, digest)
        var owner = try BlobWriter.resuming(digest, size: 10, in: layout)
        let old = Date() - 2 * 86400
        try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: path)
        #expect(try layout.collectGarbage(GCOptions(grace: 0)).removedTemporaryFiles.isEmpty, "in use")
        #expect(try layout.check(repair: true).repaired.isEmpty, "in use")
        owner = nil
        try FileManager.default.setAttributes([.modificationDate: Date()], ofItemAtPath: path)
        #expect(try layout.collectGarbage(GCOptions(grace: 0)).removedTemporaryFiles.isEmpty, "young")
        try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: path)
        #expect(try layout.collectGarbage(GCOptions(grace: 0)).removedTemporaryFiles == [String(path.dropFirst(layout.path.count + 1))])
        #expect(FileSystem.fileSize(path) == nil)
        withExtendedLifetime(owner) {}
    }

    @Test func aFailedPushIsResumedInTheSessionItRecorded() throws {
        let source = try SyncFixtures.layout()
        defer { SyncFixtures.remove(source) }
        let fake = try FakeRegistry()
        defer { fake.stop() }
        try SyncFixtures.image(in: source, tag: "1.0", layers: [ResumeTests.layerSize])
        func destination(retry: RetryPolicy) -> RemoteRegistry {
            let configuration = RegistryConfiguration(
                plainHTTP: true, retry: retry, chunkedUploadThreshold: 100_000, chunkSize: 100_000)
            return RemoteRegistry(client: RegistryClient(registry: fake.host, configuration: configuration), repository: "app")
        }
        // The fourth PATCH fails, and the run gives up.
        let patches = Locked(0)
        fake.fault.withLock {
            $0 = { request, _ in
                guard request.method == "PATCH", patches.increment() == 4 else { return nil }
                return .error(500, code: "UNKNOWN", message: "down")
            }
        }
        let once = destination(retry: RetryPolicy(maxAttempts: 1))
        #expect(throws: SyncError.self) { try ImageCopy(from: LayoutEndpoint(source), to: once).copy(.tag("1.0"), tag: "1.0") }
        let posts = fake.requests.filter { $0.method == "POST" }.count
        fake.fault.withLock { $0 = nil }
        let before = fake.requests.count

        try ImageCopy(from: LayoutEndpoint(source), to: destination(retry: RetryPolicy(initialDelay: 0.01)))
            .copy(.tag("1.0"), tag: "1.0")
        let later = fake.requests.dropFirst(before)
        #expect(fake.requests.filter { $0.method == "POST" }.count == posts, "no new session")
        #expect(later.first { $0.method == "GET" && $0.path.contains("/blobs/uploads/") } != nil)
        let sent = later.filter { $0.method == "PATCH" }.map(\.body.count).reduce(0, +)
        #expect(sent == ResumeTests.layerSize - 300_000)
        #expect(later.first { $0.method == "PATCH" }?.headers["content-range"] == "300000-399999")
        #expect(FileSystem.list(source.path + "/.ocitool/resume").isEmpty, "the record is gone")
    }

    @Test func aRecordedSessionElsewhereThanTheRegistryIsIgnored() throws {
        let source = try SyncFixtures.layout()
        defer { SyncFixtures.remove(source) }
        let fake = try FakeRegistry()
        defer { fake.stop() }
        let image = try SyncFixtures.image(in: source, tag: "1.0", layers: [ResumeTests.layerSize])
        guard case .image(let manifest) = try source.manifest(image).kind, let layer = manifest.layers.first else {
            throw SyncError.invalidArgument("not an image")
        }
        let elsewhere = try FakeRegistry()
        defer { elsewhere.stop() }
        do {
            // Released at the end of the block, so the push can take it.
            let record = try #require(try ResumeRecord.open(in: source, key: "push \(fake.host) app \(layer.digest)"))
            try record.save("http://\(elsewhere.host)/v2/app/blobs/uploads/x")
        }
        let configuration = RegistryConfiguration(plainHTTP: true, chunkedUploadThreshold: 100_000, chunkSize: 100_000)
        let destination = RemoteRegistry(client: RegistryClient(registry: fake.host, configuration: configuration), repository: "app")

        try ImageCopy(from: LayoutEndpoint(source), to: destination).copy(.tag("1.0"), tag: "1.0")
        #expect(elsewhere.requests.isEmpty)
        #expect(fake.requests.contains { $0.method == "POST" })
        #expect(fake.content.current.blobs[layer.digest.description]?.count == ResumeTests.layerSize)
    }
}
