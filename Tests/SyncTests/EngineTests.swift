// SPDX-License-Identifier: Apache-2.0
import Foundation
@testable import Layout
@testable import Sync
import Testing

/// The copy engine between layouts, and streaming pieces that need no registry.
@Suite struct EngineTests {
    @Test func layoutToLayoutHardLinksAndKeepsReferrers() throws {
        let source = try SyncFixtures.layout()
        defer { SyncFixtures.remove(source) }
        // Inside the source's directory: same filesystem, so blobs are linked.
        let target = try OCILayout.create(at: (source.path as NSString).deletingLastPathComponent + "/copy")
        let image = try SyncFixtures.image(in: source, tag: "1.0")
        let (sbom, sbomSignature, _) = try SyncFixtures.attachSBOMAndSignatures(in: source, to: image)
        let result = try ImageCopy(from: LayoutEndpoint(source), to: LayoutEndpoint(target)).copy(.tag("1.0"), tag: "2.0")
        #expect(result.descriptor.digest == image.digest)
        #expect(result.referrersCopied == 3)
        #expect(try target.resolve(.tag("2.0")).digest == image.digest)
        #expect(try target.referrers(of: sbom.digest).map(\.digest) == [sbomSignature.digest])
        #expect(Set(target.allBlobs()) == Set(source.allBlobs()))
        #expect(try target.check().isClean)
        let layer = try #require(source.allBlobs().first { $0 != image.digest && source.blobSize($0) ?? 0 > 70_000 })
        let linked = try FileManager.default.attributesOfItem(atPath: target.blobPath(layer))
        #expect((linked[.referenceCount] as? NSNumber)?.intValue == 2)
    }

    @Test func cosignLegacyTagsTravelAsReferrers() throws {
        let source = try SyncFixtures.layout()
        let target = try SyncFixtures.layout()
        defer { SyncFixtures.remove(source, target) }
        let image = try SyncFixtures.image(in: source, tag: "1.0")
        let signatureTag = "sha256-\(image.digest.encoded).sig"
        let signature = try SyncFixtures.image(in: source, tag: signatureTag, layers: [100])
        let referrers = try LayoutEndpoint(source).referrers(of: image.digest)
        #expect(referrers == [Referrer(
            descriptor: Descriptor(mediaType: .ociManifest, digest: signature.digest, size: signature.size,
                                   artifactType: "application/vnd.dev.cosign.artifact.sig.v1+json"),
            legacyTag: signatureTag)])
        let result = try ImageCopy(from: LayoutEndpoint(source), to: LayoutEndpoint(target)).copy(.tag("1.0"), tag: "1.0")
        #expect(result.referrersCopied == 1)
        #expect(try target.resolve(.tag(signatureTag)).digest == signature.digest)
    }

    @Test func aFailedBlobLeavesNoTag() throws {
        let source = try SyncFixtures.layout()
        let target = try SyncFixtures.layout()
        defer { SyncFixtures.remove(source, target) }
        let image = try SyncFixtures.image(in: source, tag: "1.0", layers: [1000, 2000, 3000, 4000])
        let victim = try #require(source.allBlobs().first { source.blobSize($0) == 3000 })
        try source.removeBlob(victim)
        #expect(throws: LayoutError.blobNotFound(victim)) {
            try ImageCopy(from: LayoutEndpoint(source), to: LayoutEndpoint(target), options: CopyOptions(jobs: 2))
                .copy(.tag("1.0"), tag: "1.0")
        }
        #expect(try target.readIndex().manifests.isEmpty)
        #expect(target.blobSize(image.digest) == nil)
    }

    @Test func theWorkerPoolBoundsParallelismAndStopsAfterAFailure() throws {
        let running = Locked((now: 0, most: 0, done: 0))
        try WorkerPool.run(Array(0..<12), jobs: 3) { (_: Int) throws(SyncError) in
            running.withLock { $0.now += 1; $0.most = max($0.most, $0.now) }
            Thread.sleep(forTimeInterval: 0.02)
            running.withLock { $0.now -= 1; $0.done += 1 }
        }
        #expect(running.current.most == 3)
        #expect(running.current.done == 12)

        let started = Locked(0)
        #expect(throws: SyncError.self) {
            try WorkerPool.run(Array(0..<50), jobs: 2) { (item: Int) throws(SyncError) in
                started.withLock { $0 += 1 }
                if item == 3 { throw .cancelled }
                Thread.sleep(forTimeInterval: 0.01)
            }
        }
        #expect(started.current < 10)
    }

    @Test func thePipeDeliversEveryByteInOrderWithBoundedBuffering() throws {
        let payload = SyncFixtures.randomBytes(5_000_001)
        let pipe = BlobPipe.start(capacity: 64 << 10) { (pipe) in
            var offset = 0
            while offset < payload.count {
                let count = min(Int.random(in: 1...100_000), payload.count - offset)
                try payload.withBytes { (bytes) throws(LayoutError) in
                    try pipe.write(UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + count)]))
                }
                offset += count
            }
        }
        var received = Data()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 70_000, alignment: 8)
        defer { buffer.deallocate() }
        while true {
            let count = try pipe.read(into: buffer)
            if count == 0 { break }
            received.append(contentsOf: buffer[..<count])
        }
        #expect(received == payload)
    }

    @Test func aProducerFailureReachesTheConsumerAndClosingStopsTheProducer() throws {
        let failing = BlobPipe.start { (pipe) in
            try pipe.write(UnsafeRawBufferPointer(start: nil, count: 0))
            throw SyncError.invalidArgument("source broke")
        }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 16, alignment: 8)
        defer { buffer.deallocate() }
        #expect { try failing.read(into: buffer) } throws: { "\($0)" == "source broke" }

        let stopped = Locked<LayoutError?>(nil)
        let done = DispatchSemaphore(value: 0)
        let endless = BlobPipe.start(capacity: 1024) { (pipe) in
            let chunk = Data(repeating: 7, count: 512)
            do throws(LayoutError) {
                while true { try chunk.withBytes { (bytes) throws(LayoutError) in try pipe.write(bytes) } }
            } catch {
                stopped.withLock { $0 = error }
                done.signal()
                throw error
            }
        }
        _ = try endless.read(into: buffer)
        endless.close()
        #expect(done.wait(timeout: .now() + 5) == .success)
        #expect(stopped.current.map { "\($0)" } == "the transfer was cancelled")
    }
}
