// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
import Sync
import Testing
import TestSupport

/// Copies through CNCF distribution 2.8 (no referrers API: the fallback tag schema is used).
@Suite(.enabled(if: DockerRegistry.isAvailable, "needs /usr/bin/docker-registry"))
struct DistributionTests {
    @Test func pushThenPullKeepsEveryDigest() throws {
        let registry = try DockerRegistry()
        defer { registry.stop() }
        let source = try SyncFixtures.layout()
        let target = try SyncFixtures.layout()
        defer { SyncFixtures.remove(source, target) }
        let image = try SyncFixtures.image(in: source, tag: "1.0")
        let remote = registry.repository("team/app")

        let pushed = try ImageCopy(from: LayoutEndpoint(source), to: remote).copy(.tag("1.0"), tag: "1.0")
        #expect(pushed.descriptor.digest == image.digest)
        #expect(pushed.blobsCopied == 3)
        #expect(pushed.manifestsCopied == 1)
        #expect(try remote.client.manifestDescriptor("team/app", .tag("1.0"))?.digest == image.digest)

        let pulled = try ImageCopy(from: remote, to: LayoutEndpoint(target)).copy(.tag("1.0"), tag: "copy")
        #expect(pulled.descriptor.digest == image.digest)
        #expect(pulled.bytesCopied == pushed.bytesCopied)
        #expect(try target.resolve(.tag("copy")).digest == image.digest)
        #expect(Set(target.allBlobs()) == Set(source.allBlobs()))
        #expect(try target.check().isClean)
    }

    @Test func docker2ManifestsAndDigestReferencesRoundTrip() throws {
        let registry = try DockerRegistry()
        defer { registry.stop() }
        let source = try SyncFixtures.layout()
        let target = try SyncFixtures.layout()
        defer { SyncFixtures.remove(source, target) }
        let image = try SyncFixtures.image(in: source, tag: "d", mediaType: .dockerManifest)
        let remote = registry.repository("docker/app")
        try ImageCopy(from: LayoutEndpoint(source), to: remote).copy(.tag("d"), tag: nil)
        #expect(try remote.client.manifestDescriptor("docker/app", .tag("d")) == nil)
        let pulled = try ImageCopy(from: remote, to: LayoutEndpoint(target)).copy(.digest(image.digest), tag: "d")
        #expect(pulled.descriptor == Descriptor(mediaType: .dockerManifest, digest: image.digest, size: image.size))
        #expect(try target.check().isClean)
    }

    @Test func referrersRoundTripThroughTheFallbackTag() throws {
        let registry = try DockerRegistry()
        defer { registry.stop() }
        let source = try SyncFixtures.layout()
        let target = try SyncFixtures.layout()
        let filtered = try SyncFixtures.layout()
        defer { SyncFixtures.remove(source, target, filtered) }
        let image = try SyncFixtures.image(in: source, tag: "1.0")
        let (sbom, sbomSignature, imageSignature) = try SyncFixtures.attachSBOMAndSignatures(in: source, to: image)
        let remote = registry.repository("app")

        let pushed = try ImageCopy(from: LayoutEndpoint(source), to: remote).copy(.tag("1.0"), tag: "1.0")
        #expect(pushed.referrersCopied == 3)

        // The fallback indexes list each referrer once, with artifact type and annotations.
        let client = remote.client
        let imageIndex = try #require(try client.fallbackIndex("app", subject: image.digest))
        #expect(Set(imageIndex.manifests.map(\.digest)) == [sbom.digest, imageSignature.digest])
        let signatureEntry = try #require(imageIndex.manifests.first { $0.digest == imageSignature.digest })
        #expect(signatureEntry.artifactType == SyncFixtures.signatureType)
        #expect(signatureEntry.annotations?["signed"] == "image")
        #expect(imageIndex.manifests.first { $0.digest == sbom.digest }?.artifactType == SyncFixtures.sbomType)
        let sbomIndex = try #require(try client.fallbackIndex("app", subject: sbom.digest))
        #expect(sbomIndex.manifests.map(\.digest) == [sbomSignature.digest])
        #expect(Set(try client.referrers("app", of: image.digest).map(\.descriptor.digest)) == [sbom.digest, imageSignature.digest])

        // Pushing again adds nothing.
        let again = try ImageCopy(from: LayoutEndpoint(source), to: remote).copy(.tag("1.0"), tag: "1.0")
        #expect(again.manifestsCopied == 0)
        #expect(try client.fallbackIndex("app", subject: image.digest)?.manifests.count == 2)

        // Pulled back: every referrer, indexed under its subject.
        let pulled = try ImageCopy(from: remote, to: LayoutEndpoint(target)).copy(.tag("1.0"), tag: "1.0")
        #expect(pulled.referrersCopied == 3)
        #expect(Set(try target.referrers(of: image.digest).map(\.digest)) == [sbom.digest, imageSignature.digest])
        #expect(try target.referrers(of: sbom.digest).map(\.digest) == [sbomSignature.digest])
        #expect(try target.check().isClean)

        // An artifact-type filter keeps the SBOM and its signature, not the image's signature.
        var options = CopyOptions()
        options.artifactTypes = [SyncFixtures.sbomType]
        let some = try ImageCopy(from: remote, to: LayoutEndpoint(filtered), options: options)
            .copy(.tag("1.0"), tag: "1.0")
        #expect(some.referrersCopied == 2)
        #expect(try filtered.referrers(of: image.digest).map(\.digest) == [sbom.digest])
        #expect(try filtered.referrers(of: sbom.digest).map(\.digest) == [sbomSignature.digest])
    }

    @Test func multiArchIndexWithAllPlatformsOrOne() throws {
        let registry = try DockerRegistry()
        defer { registry.stop() }
        let source = try SyncFixtures.layout()
        let whole = try SyncFixtures.layout()
        let host = try SyncFixtures.layout()
        let arm = try SyncFixtures.layout()
        defer { SyncFixtures.remove(source, whole, host, arm) }
        let index = try SyncFixtures.multiArch(in: source, tag: "multi")
        let children = try #require({ () throws -> [Descriptor]? in
            if case .index(let list) = try source.manifest(index).kind { return list.manifests }
            return nil
        }())
        let remote = registry.repository("multi")
        let all = CopyOptions(all: true)

        let pushed = try ImageCopy(from: LayoutEndpoint(source), to: remote, options: all).copy(.tag("multi"), tag: "multi")
        #expect(pushed.descriptor.digest == index.digest)
        #expect(pushed.manifestsCopied == 3)
        for child in children {
            #expect(try remote.client.manifestDescriptor("multi", .digest(child.digest)) != nil)
        }

        let pulled = try ImageCopy(from: remote, to: LayoutEndpoint(whole), options: all).copy(.tag("multi"), tag: "multi")
        #expect(pulled.descriptor.digest == index.digest)
        #expect(Set(whole.allBlobs()) == Set(source.allBlobs()))
        #expect(try whole.check().isClean)

        let single = try ImageCopy(from: remote, to: LayoutEndpoint(host)).copy(.tag("multi"), tag: "here")
        let hostChild = try #require(children.first { $0.platform?.matches(.host) == true })
        #expect(single.descriptor.digest == hostChild.digest)

        let armOnly = CopyOptions(platforms: [Platform(architecture: "arm64", os: "linux")])
        let picked = try ImageCopy(from: remote, to: LayoutEndpoint(arm), options: armOnly).copy(.tag("multi"), tag: "arm")
        #expect(picked.filteredIndex)
        guard case .index(let list) = try arm.manifest(try arm.resolve(.tag("arm"))).kind else {
            Issue.record("not an index")
            return
        }
        #expect(list.manifests.map(\.platform?.architecture) == ["arm64"])
    }

    @Test func unchangedImageTransfersNoBlobTheSecondTime() throws {
        let registry = try DockerRegistry()
        defer { registry.stop() }
        let source = try SyncFixtures.layout()
        let target = try SyncFixtures.layout()
        defer { SyncFixtures.remove(source, target) }
        let image = try SyncFixtures.image(in: source, tag: "1.0")
        try SyncFixtures.attachSBOMAndSignatures(in: source, to: image)
        let remote = registry.repository("inc")
        let push = ImageCopy(from: LayoutEndpoint(source), to: remote)
        let pull = ImageCopy(from: remote, to: LayoutEndpoint(target))
        let first = try push.copy(.tag("1.0"), tag: "1.0")
        #expect(first.blobsCopied > 0)
        _ = try pull.copy(.tag("1.0"), tag: "1.0")

        let secondPush = try push.copy(.tag("1.0"), tag: "1.0")
        #expect(secondPush.blobsCopied == 0)
        #expect(secondPush.bytesCopied == 0)
        #expect(secondPush.manifestsCopied == 0)
        #expect(secondPush.blobsSkipped == first.blobsCopied)
        let secondPull = try pull.copy(.tag("1.0"), tag: "1.0")
        #expect(secondPull.blobsCopied == 0)
        #expect(secondPull.manifestsCopied == 0)
        #expect(secondPull.referrersCopied == 0)  // they are there already: nothing new to count
    }

    @Test func blobsAreMountedAcrossRepositories() throws {
        let registry = try DockerRegistry()
        defer { registry.stop() }
        let source = try SyncFixtures.layout()
        defer { SyncFixtures.remove(source) }
        let image = try SyncFixtures.image(in: source, tag: "1.0")
        let first = registry.repository("one/app")
        let second = registry.repository("two/app")
        try ImageCopy(from: LayoutEndpoint(source), to: first).copy(.tag("1.0"), tag: "1.0")
        let mounted = try ImageCopy(from: first, to: second).copy(.tag("1.0"), tag: "1.0")
        #expect(mounted.blobsMounted == 3)
        #expect(mounted.blobsCopied == 3)
        #expect(try second.client.manifestDescriptor("two/app", .tag("1.0"))?.digest == image.digest)
        for digest in source.allBlobs() where digest != image.digest {
            #expect(try second.client.blobSize("two/app", digest) == source.blobSize(digest))
        }
    }

    @Test func registryToRegistryStreamsThroughAPipe() throws {
        let registry = try DockerRegistry()
        defer { registry.stop() }
        let source = try SyncFixtures.layout()
        let target = try SyncFixtures.layout()
        defer { SyncFixtures.remove(source, target) }
        let image = try SyncFixtures.image(in: source, tag: "1.0", layers: [3 << 20, 5, 0])
        try SyncFixtures.attachSBOMAndSignatures(in: source, to: image)
        let from = registry.repository("from/app")
        try ImageCopy(from: LayoutEndpoint(source), to: from).copy(.tag("1.0"), tag: "1.0")
        // Another name for the same registry: no mount, so every blob streams GET → upload.
        let other = RemoteRegistry(client: registry.client("localhost:\(registry.port)"), repository: "to/app")
        let copied = try ImageCopy(from: from, to: other, options: CopyOptions(jobs: 3)).copy(.tag("1.0"), tag: "2.0")
        #expect(copied.blobsMounted == 0)
        #expect(copied.referrersCopied == 3)
        #expect(copied.bytesCopied >= 3 << 20)
        try ImageCopy(from: other, to: LayoutEndpoint(target)).copy(.tag("2.0"), tag: "2.0")
        #expect(Set(target.allBlobs()) == Set(source.allBlobs()))
        #expect(try target.check().isClean)
    }

    @Test func chunkedUploadsWork() throws {
        let registry = try DockerRegistry()
        defer { registry.stop() }
        let source = try SyncFixtures.layout()
        let target = try SyncFixtures.layout()
        defer { SyncFixtures.remove(source, target) }
        try SyncFixtures.image(in: source, tag: "1.0", layers: [250_001, 99_999])
        let client = RegistryClient(
            registry: registry.host,
            configuration: RegistryConfiguration(plainHTTP: true, chunkedUploadThreshold: 0, chunkSize: 100_000))
        let remote = RemoteRegistry(client: client, repository: "chunked")
        try ImageCopy(from: LayoutEndpoint(source), to: remote).copy(.tag("1.0"), tag: "1.0")
        try ImageCopy(from: remote, to: LayoutEndpoint(target)).copy(.tag("1.0"), tag: "1.0")
        #expect(Set(target.allBlobs()) == Set(source.allBlobs()))
    }

    @Test func cosignLegacyTagsRoundTrip() throws {
        let registry = try DockerRegistry()
        defer { registry.stop() }
        let source = try SyncFixtures.layout()
        let target = try SyncFixtures.layout()
        defer { SyncFixtures.remove(source, target) }
        let image = try SyncFixtures.image(in: source, tag: "1.0")
        let signatureTag = "sha256-\(image.digest.encoded).sig"
        let signature = try SyncFixtures.image(in: source, tag: signatureTag, layers: [100])
        let remote = registry.repository("cosign")
        try ImageCopy(from: LayoutEndpoint(source), to: remote).copy(.tag("1.0"), tag: "1.0")
        let referrers = try remote.referrers(of: image.digest)
        #expect(referrers.map(\.legacyTag) == [signatureTag])
        #expect(referrers.first?.descriptor.artifactType == "application/vnd.dev.cosign.artifact.sig.v1+json")
        let pulled = try ImageCopy(from: remote, to: LayoutEndpoint(target)).copy(.tag("1.0"), tag: "1.0")
        #expect(pulled.referrersCopied == 1)
        #expect(try target.resolve(.tag(signatureTag)).digest == signature.digest)
    }

    @Test func aLargeOddSizedLayerStreamsThroughEveryPath() throws {
        let registry = try DockerRegistry()
        defer { registry.stop() }
        let source = try SyncFixtures.layout()
        let target = try SyncFixtures.layout()
        defer { SyncFixtures.remove(source, target) }
        try SyncFixtures.image(in: source, tag: "big", layers: [(40 << 20) + 1])
        let first = registry.repository("big/one")
        try ImageCopy(from: LayoutEndpoint(source), to: first).copy(.tag("big"), tag: "big")
        let chunked = RegistryClient(
            registry: "localhost:\(registry.port)",
            configuration: RegistryConfiguration(plainHTTP: true, chunkedUploadThreshold: 1 << 20, chunkSize: 16 << 20))
        let second = RemoteRegistry(client: chunked, repository: "big/two")
        let copied = try ImageCopy(from: first, to: second).copy(.tag("big"), tag: "big")
        #expect(copied.bytesCopied > 40 << 20)
        try ImageCopy(from: second, to: LayoutEndpoint(target)).copy(.tag("big"), tag: "big")
        #expect(Set(target.allBlobs()) == Set(source.allBlobs()))
        #expect(try target.check().isClean)
    }

    @Test func tagsArePaginatedAndTheCatalogListsRepositories() throws {
        let registry = try DockerRegistry()
        defer { registry.stop() }
        let source = try SyncFixtures.layout()
        defer { SyncFixtures.remove(source) }
        try SyncFixtures.image(in: source, tag: "1.0")
        let remote = registry.repository("paged/app")
        let sync = ImageCopy(from: LayoutEndpoint(source), to: remote)
        for tag in ["c", "a", "b"] { try sync.copy(.tag("1.0"), tag: tag) }
        let tags = try remote.client.listTags("paged/app", pageSize: 1)
        #expect(tags.sorted() == ["a", "b", "c"])  // distribution 2.8 pages in storage order
        #expect(try remote.client.catalog(pageSize: 1).contains("paged/app"))
        #expect(throws: SyncError.self) { try remote.client.listTags("nothing/here") }
    }
}
