// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
@testable import ObjectStorage
import TestSupport
import Testing

/// A store whose repositories live in a bucket (`Store` over `S3Store`), against radosgw: the layout endpoint,
/// the copy engine and the store's operations unchanged, `s3://` references, and several servers' worth of
/// writers sharing one bucket with no lock.
@Suite(.serialized) struct S3StoreTests {
    let scratch = TestScratch.directory("ocitool-s3-store")
    let cluster: CephCluster
    let bucket = "store-\(UUID().uuidString.lowercased().prefix(16))"

    init() throws {
        cluster = try CephCluster.shared()
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        try backend("s3://\(bucket)").createBucket()
    }

    /// One server's view of `url`: its own client and staging directory, as a replica has.
    func backend(_ url: String, replica: String = "a") throws -> S3Store {
        try S3Store.open(
            url, endpoint: cluster.endpoint, region: nil, stagingDirectory: scratch.path + "/staging-" + replica,
            environment: cluster.environment)
    }

    func store(_ prefix: String = "prod", replica: String = "a") throws -> Store {
        Store(root: scratch.path + "/state-" + replica, backend: try backend("s3://\(bucket)/\(prefix)", replica: replica))
    }

    /// Pushes a small image (a random layer, a config, a manifest) and returns the manifest's descriptor.
    @discardableResult
    func pushImage(_ layout: OCILayout, tag: String?, layerSize: Int = 4096) throws -> Descriptor {
        let layer = Data((0..<layerSize).map { _ in UInt8.random(in: 0...255) })
        let config = Data(#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#.utf8)
        let (layerDigest, _) = try layout.writeBlob(layer)
        let (configDigest, _) = try layout.writeBlob(config)
        let manifest = """
            {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",\
            "config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"\(configDigest)","size":\(config.count)},\
            "layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"\(layerDigest)","size":\(layer.count)}]}
            """
        return try layout.putManifest(Data(manifest.utf8), tag: tag)
    }

    @Test func theCopyEngineMovesImagesIntoAndOutOfABucketByteForByte() throws {
        let local = try OCILayout.create(at: scratch.path + "/local")
        let image = try pushImage(local, tag: "1.0", layerSize: 300_000)
        let bucketLayout = try store().layout(for: "team/app", create: true)
        try ImageCopy(from: LayoutEndpoint(local), to: LayoutEndpoint(bucketLayout)).copy(image, tag: "1.0")

        let back = try OCILayout.create(at: scratch.path + "/back")
        let result = try ImageCopy(from: LayoutEndpoint(bucketLayout), to: LayoutEndpoint(back)).copy(.tag("1.0"), tag: "1.0")
        #expect(result.descriptor.digest == image.digest)
        #expect(try back.readBlob(image.digest) == (try local.readBlob(image.digest)))
        for digest in local.allBlobs() {
            #expect(try back.readBlob(digest, limit: 1 << 20).count == Int(local.blobSize(digest) ?? -1))
            #expect(bucketLayout.blobSize(digest) == local.blobSize(digest))
        }
        #expect(try store().repositories() == ["team/app"])
    }

    @Test func referencesFindTheStoreThatHoldsTheirRepository() throws {
        let prod = try store("prod")
        try pushImage(try prod.layout(for: "team/app", create: true), tag: "v1")

        let existing = try S3Store.repository(
            "s3://\(bucket)/prod/team/app", endpoint: cluster.endpoint, region: nil, create: false,
            environment: cluster.environment)
        #expect(existing.path == "s3://\(bucket)/prod/team/app")
        #expect(try existing.resolve(.tag("v1")).mediaType == .ociManifest)

        // A new repository goes into the store its prefix already holds, not into the bucket's root.
        let created = try S3Store.repository(
            "s3://\(bucket)/prod/new/one", endpoint: cluster.endpoint, region: nil, create: true,
            environment: cluster.environment)
        #expect(try prod.repositories() == ["new/one", "team/app"])
        #expect(created.indexVersion() != nil)

        #expect(throws: LayoutError.notALayout("s3://\(bucket)/prod/missing")) {
            try S3Store.repository(
                "s3://\(bucket)/prod/missing", endpoint: cluster.endpoint, region: nil, create: false,
                environment: cluster.environment)
        }
    }

    /// Under a path that holds no store yet, where the prefix ends is not guessed: `//` marks it.
    @Test func aNewStoresPrefixIsMarkedNotGuessed() throws {
        func open(_ url: String) throws -> OCILayout {
            try S3Store.repository(
                url, endpoint: cluster.endpoint, region: nil, create: true, environment: cluster.environment)
        }
        #expect {
            try open("s3://\(bucket)/fresh/team/app")
        } throws: { error in
            guard case LayoutError.invalidReference(_, let reason) = error else { return false }
            return reason.contains("'//'")
        }
        #expect(try store("fresh").repositories().isEmpty, "nothing was created")
        let marked = try open("s3://\(bucket)/fresh//team/app")
        #expect(marked.path == "s3://\(bucket)/fresh/team/app")
        #expect(try store("fresh").repositories() == ["team/app"])
        // Now the store is there, plain references find it.
        #expect(try open("s3://\(bucket)/fresh/team/web").path == "s3://\(bucket)/fresh/team/web")
        #expect(try store("fresh").repositories() == ["team/app", "team/web"])
    }

    @Test func aMountLinksTheBucketsCopyWithoutUploadingIt() throws {
        let store = try store()
        let source = try store.layout(for: "base", create: true)
        try pushImage(source, tag: "v1", layerSize: 100_000)
        let layer = try #require(source.allBlobs().first { source.blobSize($0) == 100_000 })
        #expect(try store.mountBlob(layer, into: "app", from: "base"))
        let target = try store.layout(for: "app")
        #expect(target.blobSize(layer) == 100_000)
        #expect(try target.readBlob(layer, limit: 1 << 20).count == 100_000)  // read through its digest
        // A repository that neither pushed nor mounted it cannot read it.
        let other = try store.layout(for: "other", create: true)
        #expect(other.blobSize(layer) == nil)
        #expect(throws: LayoutError.blobNotFound(layer)) { try other.openBlob(layer) }
    }

    /// A blob read whole through the cache is kept and then served from the local file; a range read keeps
    /// nothing, and a repository that lost its link cannot read the cached copy.
    @Test func theBlobCacheKeepsWholeVerifiedReadsAndStillAsksTheBucket() throws {
        let events = Locked<[String]>([])
        var backend = try backend("s3://\(bucket)/cached")
        backend.cache = try BlobCache(directory: scratch.path + "/cache", maxSize: 1 << 20) { (event) in
            events.withLock { $0.append("\(event)") }
        }
        let store = Store(root: scratch.path + "/state-cached", backend: backend)
        let layout = try store.layout(for: "app", create: true)
        let data = Data((0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        let (digest, _) = try layout.writeBlob(data)

        let partial = try layout.openBlob(digest)
        var head = [UInt8](repeating: 0, count: 1000)
        _ = try head.withUnsafeMutableBytes { try partial.read(into: $0, at: 5000) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path + "/cache").isEmpty)

        let first = try layout.openBlob(digest)
        #expect(first.file == nil, "a miss reads the bucket")
        #expect(try layout.readBlob(digest, limit: 1 << 20) == data)
        let second = try layout.openBlob(digest)
        #expect(second.file != nil, "a hit is a local file")
        #expect(try layout.readBlob(digest, limit: 1 << 20) == data)
        #expect(events.withLock { $0 }.filter { $0 == "hit" }.count >= 2)
        #expect(events.withLock { $0 }.contains("stored(300000)"))

        try layout.removeBlob(digest)
        #expect(throws: LayoutError.blobNotFound(digest)) { try layout.openBlob(digest) }
        // Bigger than the cache: never kept.
        let (large, _) = try layout.writeBlob(Data(count: 2 << 20))
        _ = try layout.readBlob(large, limit: 4 << 20)
        #expect(try layout.openBlob(large).file == nil)
    }

    /// fsck of a repository in a bucket hashes what it links, and names a link whose bytes are gone.
    @Test func fsckNamesALinkWhoseBytesAreGone() throws {
        let backend = try backend("s3://\(bucket)/fsck")
        let layout = try Store(root: scratch.path + "/state-fsck", backend: backend).layout(for: "app", create: true)
        try pushImage(layout, tag: "v1")
        let clean = try layout.check()
        #expect(clean.isClean && clean.blobsChecked == 3 && clean.manifestsChecked == 1)
        let (orphan, _) = try layout.writeBlob(Data("linked, then lost".utf8))
        try backend.client.delete(backend.client.location.key(orphan.blobPath))
        let report = try layout.check()
        #expect(report.problems.map(\.kind) == [.missingBlob] && report.problems.first?.digest == orphan)
    }

    /// Two servers over one bucket push at once, 20 rounds: each its own tag, and both the same tag. No tag is
    /// lost, the shared tag names one of the two images, and every listed manifest is readable.
    @Test func twoReplicasPushingAtOnceLoseNoTag() throws {
        let replicas = [try store(replica: "a"), try store(replica: "b")]
        let rounds = 20
        let shared = Locked<[Int: [Digest]]>([:])
        for round in 0..<rounds {
            DispatchQueue.concurrentPerform(iterations: 4) { (job) in
                let replica = replicas[job % 2]
                let tag = job < 2 ? "r\(round)-\(job)" : "shared"
                let pushed: Descriptor
                do {
                    pushed = try pushImage(try replica.layout(for: "team/app", create: true), tag: tag)
                } catch {
                    Issue.record("push \(tag) through replica \(job % 2): \(error)")
                    return
                }
                if job >= 2 { shared.withLock { $0[round, default: []].append(pushed.digest) } }
            }
            let index = try replicas[round % 2].layout(for: "team/app").readIndex()
            let sharedEntry = try #require(index.manifests.first { $0.refName == "shared" })
            #expect(shared.withLock { $0[round] }?.contains(sharedEntry.digest) == true)
        }
        let layout = try replicas[1].layout(for: "team/app")
        let index = try layout.readIndex()
        let tags = Set(index.manifests.compactMap(\.refName))
        #expect(tags.count == rounds * 2 + 1)
        for round in 0..<rounds { #expect(tags.isSuperset(of: ["r\(round)-0", "r\(round)-1"])) }
        for entry in index.manifests { #expect(try layout.readBlob(entry.digest).count == Int(entry.size)) }
    }
}
