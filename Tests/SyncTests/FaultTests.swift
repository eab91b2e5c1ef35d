// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
@testable import Sync
import Testing
import TestSupport

/// Registry faults, injected with an in-process fake registry.
@Suite struct FaultTests {
    /// Puts every blob of `layout` and the manifest of `image` (under `tag`) into the fake registry.
    private func populate(_ fake: FakeRegistry, from layout: OCILayout, image: Descriptor, tag: String) throws {
        for digest in layout.allBlobs() { fake.addBlob(try layout.readBlob(digest, limit: 64 << 20)) }
        fake.addManifest(try layout.readBlob(image.digest), mediaType: image.mediaType, tag: tag)
    }

    @Test func aConnectionCutMidBlobResumesWithRange() throws {
        let fake = try FakeRegistry()
        defer { fake.stop() }
        let source = try SyncFixtures.layout()
        let target = try SyncFixtures.layout()
        defer { SyncFixtures.remove(source, target) }
        let image = try SyncFixtures.image(in: source, tag: "1.0", layers: [1_000_003])
        try populate(fake, from: source, image: image, tag: "1.0")
        guard case .image(let manifest) = try source.manifest(image).kind, let layer = manifest.layers.first else {
            Issue.record("not an image")
            return
        }
        let blobPath = "/v2/app/blobs/\(layer.digest)"
        let layerBytes = try source.readBlob(layer.digest, limit: 64 << 20)
        fake.fault.withLock {
            $0 = { request, earlier in
                guard request.method == "GET", request.path == blobPath, earlier == 0 else { return nil }
                return FakeReply(status: 200, body: layerBytes, cutAfter: 400_000)
            }
        }
        let result = try ImageCopy(from: RemoteRegistry(client: fake.client(), repository: "app"), to: LayoutEndpoint(target))
            .copy(.tag("1.0"), tag: "1.0")
        #expect(result.bytesCopied == Int64(layerBytes.count) + manifest.config.size)
        let gets = fake.requests.filter { $0.method == "GET" && $0.path == blobPath }
        #expect(gets.count == 2)
        #expect(gets.last?.headers["range"] == "bytes=400000-")
        #expect(try target.readBlob(layer.digest, limit: 64 << 20) == layerBytes)
        #expect(try target.check().isClean)
    }

    @Test func aServerIgnoringRangeRestartsTheBlob() throws {
        let fake = try FakeRegistry()
        defer { fake.stop() }
        fake.ignoreRange.withLock { $0 = true }
        let payload = SyncFixtures.randomBytes(500_000)
        let digest = Digest.sha256(of: payload)
        fake.addBlob(payload)
        fake.fault.withLock {
            $0 = { request, earlier in
                guard request.method == "GET", request.path.hasSuffix(digest.description), earlier == 0 else { return nil }
                return FakeReply(status: 200, body: payload, cutAfter: 123_456)
            }
        }
        var received = Data()
        try fake.client().fetchBlob("app", digest, size: Int64(payload.count)) { (bytes) throws(SyncError) in
            received.append(contentsOf: bytes)
        }
        #expect(received == payload)
        #expect(fake.requests.last?.headers["range"] == "bytes=123456-")
    }

    @Test func aBlobNotMatchingItsDigestIsRejectedAndNothingIsTagged() throws {
        let fake = try FakeRegistry()
        defer { fake.stop() }
        let source = try SyncFixtures.layout()
        let target = try SyncFixtures.layout()
        defer { SyncFixtures.remove(source, target) }
        let image = try SyncFixtures.image(in: source, tag: "1.0", layers: [10_000])
        try populate(fake, from: source, image: image, tag: "1.0")
        guard case .image(let manifest) = try source.manifest(image).kind, let layer = manifest.layers.first else {
            Issue.record("not an image")
            return
        }
        fake.addBlob(SyncFixtures.randomBytes(10_000), digest: layer.digest)

        #expect {
            try ImageCopy(from: RemoteRegistry(client: fake.client(), repository: "app"), to: LayoutEndpoint(target))
                .copy(.tag("1.0"), tag: "1.0")
        } throws: { error in
            guard case LayoutError.digestMismatch(let expected, _) = error else { return false }
            return expected == layer.digest
        }
        #expect(try target.readIndex().manifests.isEmpty)
        #expect(target.blobSize(layer.digest) == nil)
        #expect(target.blobSize(image.digest) == nil)
    }

    @Test func aMalformedManifestIsRejected() throws {
        let fake = try FakeRegistry()
        defer { fake.stop() }
        let target = try SyncFixtures.layout()
        defer { SyncFixtures.remove(target) }
        fake.addManifest(Data(#"{"schemaVersion":2,"config":5,"layers":[]}"#.utf8), mediaType: .ociManifest, tag: "bad")
        #expect {
            try ImageCopy(from: RemoteRegistry(client: fake.client(), repository: "app"), to: LayoutEndpoint(target))
                .copy(.tag("bad"), tag: "bad")
        } throws: { error in
            guard case SyncError.invalidResponse(let host, let reason) = error else { return false }
            return host == fake.host && reason.contains("manifest") && reason.contains("malformed")
        }
        #expect(try target.readIndex().manifests.isEmpty)
    }

    @Test func aManifestNotMatchingTheRequestedDigestIsRejected() throws {
        let fake = try FakeRegistry()
        defer { fake.stop() }
        let source = try SyncFixtures.layout()
        defer { SyncFixtures.remove(source) }
        let image = try SyncFixtures.image(in: source, tag: "1.0")
        let other = try SyncFixtures.image(in: source, tag: "2.0")
        // The registry answers the first digest with the second manifest's bytes.
        fake.content.withLock { $0.manifests[image.digest.description] = (try! source.readBlob(other.digest), MediaType.ociManifest.rawValue) }
        #expect {
            try fake.client().fetchManifest("app", .digest(image.digest))
        } throws: { error in
            guard case SyncError.layout(.verificationFailed(let message)) = error else { return false }
            return message.contains(image.digest.description) && message.contains(fake.host)
        }
    }

    @Test func tooManyRequestsIsRetriedAfterRetryAfter() throws {
        let fake = try FakeRegistry()
        defer { fake.stop() }
        let source = try SyncFixtures.layout()
        defer { SyncFixtures.remove(source) }
        let image = try SyncFixtures.image(in: source, tag: "1.0")
        try populate(fake, from: source, image: image, tag: "1.0")
        fake.fault.withLock {
            $0 = { request, earlier in
                guard request.path.hasSuffix("/manifests/1.0"), earlier == 0 else { return nil }
                return .error(429, code: "TOOMANYREQUESTS", message: "slow down", headers: [("Retry-After", "1")])
            }
        }
        let start = Date()
        let (descriptor, _) = try fake.client().fetchManifest("app", .tag("1.0"))
        #expect(descriptor.digest == image.digest)
        #expect(Date().timeIntervalSince(start) >= 0.9)
        #expect(fake.requests.filter { $0.path.hasSuffix("/manifests/1.0") }.count == 2)
    }

    @Test func retryAfterIsCappedAndAttemptsAreBounded() throws {
        let fake = try FakeRegistry()
        defer { fake.stop() }
        fake.fault.withLock {
            $0 = { _, _ in .error(503, code: "UNAVAILABLE", message: "down", headers: [("Retry-After", "3600")]) }
        }
        let client = fake.client(retry: RetryPolicy(maxAttempts: 3, initialDelay: 0.01, maxRetryAfter: 0.05))
        let start = Date()
        #expect {
            try client.fetchManifest("app", .tag("1.0"))
        } throws: { error in
            guard case SyncError.registry(let host, 503, _, let message, _) = error else { return false }
            return host == fake.host && message.contains("down")
        }
        #expect(Date().timeIntervalSince(start) < 5)
        #expect(fake.requests.filter { $0.path.hasSuffix("/manifests/1.0") }.count == 3)
    }

    @Test func anUnreachableRegistryGivesAClearError() throws {
        let port = try DockerRegistry.freePort()
        let client = RegistryClient(
            registry: "127.0.0.1:\(port)",
            configuration: RegistryConfiguration(plainHTTP: true, retry: RetryPolicy(maxAttempts: 2, initialDelay: 0.01)))
        #expect {
            try RemoteRegistry(client: client, repository: "app").resolve(.tag("1.0"))
        } throws: { error in
            guard let error = error as? SyncError, case .unreachable = error else { return false }
            return error.description.hasPrefix("cannot reach registry 127.0.0.1:\(port)")
        }
    }

    @Test func aMissingManifestNamesTheRepository() throws {
        let fake = try FakeRegistry()
        defer { fake.stop() }
        #expect {
            try RemoteRegistry(client: fake.client(), repository: "team/app").resolve(.tag("nope"))
        } throws: { error in
            // .notFound exits 3 (ErrorReportTests).
            guard let error = error as? SyncError, case .notFound = error else { return false }
            return error.description == "manifest nope not found in \(fake.host)/team/app"
        }
    }

    @Test func aBrokenChunkedUploadResumesFromTheSessionRange() throws {
        let fake = try FakeRegistry()
        defer { fake.stop() }
        let source = try SyncFixtures.layout()
        defer { SyncFixtures.remove(source) }
        let image = try SyncFixtures.image(in: source, tag: "1.0", layers: [350_000])
        guard case .image(let manifest) = try source.manifest(image).kind, let layer = manifest.layers.first else {
            Issue.record("not an image")
            return
        }
        let patches = Locked(0)
        fake.fault.withLock {
            $0 = { request, _ in
                guard request.method == "PATCH" else { return nil }
                let number = patches.increment()
                return number == 2 ? FakeReply(status: 500, dropConnection: true) : nil
            }
        }
        let client = RegistryClient(
            registry: fake.host,
            configuration: RegistryConfiguration(
                plainHTTP: true, retry: RetryPolicy(initialDelay: 0.01), chunkedUploadThreshold: 100_000,
                chunkSize: 100_000))
        try ImageCopy(from: LayoutEndpoint(source), to: RemoteRegistry(client: client, repository: "app"))
            .copy(.tag("1.0"), tag: "1.0")
        #expect(fake.content.current.blobs[layer.digest.description] == (try source.readBlob(layer.digest, limit: 1 << 20)))
        let ranges = fake.requests.filter { $0.method == "PATCH" }.compactMap { $0.headers["content-range"] }
        #expect(ranges == ["0-99999", "100000-199999", "100000-199999", "200000-299999", "300000-349999"])
        #expect(fake.requests.contains { $0.method == "GET" && $0.path.contains("/blobs/uploads/") })
    }
}
