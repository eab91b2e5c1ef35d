// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
import Testing

@Suite("Copy between layouts")
struct CopyTests {
    let scratch = ExportScratch()

    @Test func copyPreservesTheManifestAndHardLinksBlobs() throws {
        let source = try scratch.layout("source")
        let destination = try scratch.layout("destination")
        let image = try ExportFixtures.pushImage(source, scratch: scratch, tag: "v1")
        let result = try copyImage(from: source, image, to: destination, tag: "copied", options: CopyOptions())

        #expect(result.descriptor.digest == image.digest)
        #expect(result.blobsCopied == 3 && result.manifestsCopied == 1)  // config and two layers; the manifest
        #expect(result.blobsLinked == 3)
        #expect(!result.filteredIndex && result.referrersCopied == 0)
        let (listed, bytes) = try ExportFixtures.manifestBytes(destination, tag: "copied")
        #expect(listed.digest == image.digest)
        #expect(bytes == (try source.readBlob(image.digest)))
        let manifest = try ExportFixtures.image(source, image)
        for blob in [manifest.config] + manifest.layers {
            let inode = ExportFixtures.inode(source.blobPath(blob.digest))
            #expect(inode != nil && inode == ExportFixtures.inode(destination.blobPath(blob.digest)))
        }
        #expect(result.bytesCopied == ([manifest.config] + manifest.layers).reduce(0) { $0 + $1.size })

        // Copying again moves nothing and keeps the tag.
        let again = try copyImage(from: source, image, to: destination, tag: "copied", options: CopyOptions())
        #expect(again.blobsCopied == 0 && again.bytesCopied == 0 && again.manifestsCopied == 0 && again.blobsSkipped == 3)
        #expect(try destination.resolve(.tag("copied")).digest == image.digest)
    }

    /// A corrupt blob in the source fails the copy: it is read through its digest before it is linked, so the
    /// corruption does not spread into the destination, and nothing is tagged there.
    @Test func aCorruptSourceBlobIsNotLinked() throws {
        let source = try scratch.layout("source")
        let destination = try scratch.layout("destination")
        let image = try ExportFixtures.pushImage(source, scratch: scratch, tag: "v1")
        let layer = try ExportFixtures.image(source, image).layers[0]
        let path = source.blobPath(layer.digest)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes[bytes.count / 2] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: path))

        #expect {
            try copyImage(from: source, image, to: destination, tag: "copied", options: CopyOptions())
        } throws: { error in
            guard case LayoutError.digestMismatch(let expected, _) = error else { return false }
            return expected == layer.digest
        }
        #expect(destination.blobSize(layer.digest) == nil)
        #expect(throws: LayoutError.self) { try destination.resolve(.tag("copied")) }
    }

    @Test func copyBringsReferrersAndTheirReferrers() throws {
        let source = try scratch.layout("source")
        let image = try ExportFixtures.pushImage(source, scratch: scratch, tag: "v1")
        let sbom = try ExportFixtures.pushArtifact(source, subject: image, artifactType: ExportFixtures.sbomType)
        let signature = try ExportFixtures.pushArtifact(
            source, subject: sbom, artifactType: ExportFixtures.signatureType)
        let imageSignature = try ExportFixtures.pushArtifact(
            source, subject: image, artifactType: ExportFixtures.signatureType)

        let all = try scratch.layout("all")
        let result = try copyImage(from: source, image, to: all, tag: "v1", options: CopyOptions())
        #expect(result.referrersCopied == 3)
        let direct = try all.referrers(of: image.digest)
        #expect(Set(direct.map(\.digest)) == [sbom.digest, imageSignature.digest])
        #expect(direct.first { $0.digest == sbom.digest }?.artifactType == ExportFixtures.sbomType)
        #expect(try all.referrers(of: sbom.digest).map(\.digest) == [signature.digest])
        // Each referrer came with its content.
        for artifact in [sbom, signature, imageSignature] {
            #expect(try all.readBlob(artifact.digest) == (try source.readBlob(artifact.digest)))
            for layer in try ExportFixtures.image(source, artifact).layers {
                #expect(all.blobSize(layer.digest) == layer.size)
            }
        }

        // The artifact-type filter picks direct referrers; what is attached to them comes along.
        let sboms = try scratch.layout("sboms")
        let filtered = try copyImage(
            from: source, image, to: sboms, tag: "v1", options: CopyOptions(artifactTypes: [ExportFixtures.sbomType]))
        #expect(filtered.referrersCopied == 2)
        #expect(try sboms.referrers(of: image.digest).map(\.digest) == [sbom.digest])
        #expect(try sboms.referrers(of: sbom.digest).map(\.digest) == [signature.digest])

        let none = try scratch.layout("none")
        let bare = try copyImage(from: source, image, to: none, tag: "v1", options: CopyOptions(referrers: false))
        #expect(bare.referrersCopied == 0)
        #expect(try none.referrers(of: image.digest).isEmpty)
        #expect(none.blobSize(sbom.digest) == nil)
    }

    @Test func allCopiesTheWholeIndex() throws {
        let source = try scratch.layout("source")
        let (index, children) = try ExportFixtures.pushIndex(source, scratch: scratch, tag: "multi")
        let armSignature = try ExportFixtures.pushArtifact(
            source, subject: children[1], artifactType: ExportFixtures.signatureType)
        let destination = try scratch.layout("destination")
        let result = try copyImage(from: source, index, to: destination, tag: "multi", options: CopyOptions(all: true))
        #expect(result.descriptor.digest == index.digest && !result.filteredIndex)
        #expect(try destination.readBlob(index.digest) == (try source.readBlob(index.digest)))
        for child in children {
            let image = try ExportFixtures.image(destination, child)
            for blob in [image.config] + image.layers { #expect(destination.blobSize(blob.digest) == blob.size) }
        }
        // Referrers of a child come along too.
        #expect(try destination.referrers(of: children[1].digest).map(\.digest) == [armSignature.digest])
        #expect(result.referrersCopied == 1)
    }

    @Test func platformsMakeANewIndexWithOnlyThoseChildren() throws {
        let source = try scratch.layout("source")
        let (index, children) = try ExportFixtures.pushIndex(source, scratch: scratch, tag: "multi")
        let destination = try scratch.layout("destination")
        let result = try copyImage(
            from: source, index, to: destination, tag: "arm", options: CopyOptions(platforms: [ExportFixtures.arm64]))
        #expect(result.filteredIndex)
        #expect(result.descriptor.digest != index.digest)
        #expect(result.descriptor.mediaType == .ociIndex)
        let listed = try destination.resolve(.tag("arm"))
        #expect(listed.digest == result.descriptor.digest)
        let filtered = try ExportFixtures.index(destination, listed)
        let original = try ExportFixtures.index(source, index)
        #expect(filtered.manifests == [original.manifests[1]])
        #expect(filtered.annotations == original.annotations)
        #expect(filtered.mediaType == .ociIndex)
        #expect(destination.blobSize(children[1].digest) == children[1].size)
        #expect(destination.blobSize(children[0].digest) == nil)
        for blob in try ExportFixtures.image(source, children[0]).layers {
            #expect(destination.blobSize(blob.digest) == nil)
        }

        let riscv = Platform(architecture: "riscv64", os: "linux")
        #expect {
            try copyImage(from: source, index, to: destination, tag: "x", options: CopyOptions(platforms: [riscv]))
        } throws: { error in
            "\(error)".contains("linux/amd64, linux/arm64")
        }
    }

    @Test func defaultCopiesTheHostPlatformImage() throws {
        let source = try scratch.layout("source")
        let (index, children) = try ExportFixtures.pushIndex(source, scratch: scratch, tag: "multi")
        let destination = try scratch.layout("destination")
        let result = try copyImage(from: source, index, to: destination, tag: "here", options: CopyOptions())
        let host = try #require(children.first { $0.platform?.matches(.host) == true })
        #expect(result.descriptor.digest == host.digest)
        #expect(result.descriptor.mediaType == .ociManifest)
        #expect(!result.filteredIndex)
        #expect(try destination.resolve(.tag("here")).digest == host.digest)
        #expect(destination.blobSize(index.digest) == nil)
        #expect(destination.allBlobs().count == 3)  // the host image's manifest, config and layer
    }
}
