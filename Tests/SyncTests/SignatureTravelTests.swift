// SPDX-License-Identifier: Apache-2.0
import Foundation
@testable import Layout
import Sync
import Testing

/// Signatures travel with their image through every copy: cosign's legacy tags (`sha256-<hex>.sig`, `.att`),
/// which point at an image by name only, and a Sigstore bundle referrer (by `subject`), from a layout into an
/// oci-archive bundle, out of it (imported or copied), and into and out of a registry (`ocitool serve`),
/// each manifest byte for byte.
@Suite struct SignatureTravelTests {
    /// The image and its three signature manifests, with their exact bytes.
    struct Signed {
        let image: Descriptor
        let signature: (tag: String, bytes: Data)
        let attestation: (tag: String, bytes: Data)
        let bundle: (digest: Digest, bytes: Data)
    }

    static let bundleType: MediaType = "application/vnd.dev.sigstore.bundle.v0.3+json"

    /// A cosign-shaped signature manifest (a config and one layer with the signature annotation), tagged.
    /// As cosign writes it, the config lists the payload's digest as the layer's diff ID.
    static func cosignManifest(in layout: OCILayout, tag: String, layerType: MediaType, payload: Data) throws -> Data {
        let layer = try layout.writeBlob(payload)
        let config = try layout.writeBlob(Data(#"{"architecture":"","config":{},"created":"0001-01-01T00:00:00Z","os":"","rootfs":{"type":"layers","diff_ids":["\#(layer.digest)"]}}"#.utf8))
        let manifest = ImageManifest(
            config: Descriptor(mediaType: .ociConfig, digest: config.digest, size: config.size),
            layers: [Descriptor(
                mediaType: layerType, digest: layer.digest, size: layer.size,
                annotations: ["dev.cosignproject.cosign/signature": SyncFixtures.randomBytes(70).base64EncodedString()])])
        let bytes = try JSONEncoder.ocitool.encode(manifest)
        try layout.putManifest(bytes, mediaType: .ociManifest, tag: tag)
        return bytes
    }

    /// An image an archive can hold (a tar layer, its diff ID in the config), tagged.
    static func image(in layout: OCILayout, tag: String, size: Int = 5_000) throws -> Descriptor {
        let directory = SyncFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/layer.tar"
        let writer = try ArchiveWriter(path: path)
        try writer.addFile("file.bin", contents: SyncFixtures.randomBytes(size))
        try writer.finish()
        let layer = try layout.writeBlob(try Data(contentsOf: URL(fileURLWithPath: path)))
        let config = try layout.writeBlob(Data(
            #"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["\#(layer.digest)"]}}"#.utf8))
        let manifest = ImageManifest(
            config: Descriptor(mediaType: .ociConfig, digest: config.digest, size: config.size),
            layers: [Descriptor(mediaType: .ociLayer, digest: layer.digest, size: layer.size)])
        return try layout.putManifest(try JSONEncoder.ocitool.encode(manifest), mediaType: .ociManifest, tag: tag)
    }

    static func signed(in layout: OCILayout) throws -> Signed {
        let image = try image(in: layout, tag: "v1")
        let hex = image.digest.encoded
        let payload = Data(#"{"critical":{"identity":{"docker-reference":"example/app"},"image":{"docker-manifest-digest":"\#(image.digest)"},"type":"cosign container image signature"},"optional":null}"#.utf8)
        let signature = try cosignManifest(
            in: layout, tag: "sha256-\(hex).sig", layerType: "application/vnd.dev.cosign.simplesigning.v1+json",
            payload: payload)
        let attestation = try cosignManifest(
            in: layout, tag: "sha256-\(hex).att", layerType: "application/vnd.dsse.envelope.v1+json",
            payload: Data(#"{"payloadType":"application/vnd.in-toto+json","payload":"e30=","signatures":[]}"#.utf8))
        let directory = SyncFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = directory + "/bundle.json"
        try Data(#"{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json"}"#.utf8).write(to: URL(fileURLWithPath: file))
        let bundle = try layout.attach([AttachFile(path: file, mediaType: bundleType)], artifactType: bundleType, to: image)
        return Signed(
            image: image, signature: ("sha256-\(hex).sig", signature), attestation: ("sha256-\(hex).att", attestation),
            bundle: (bundle.digest, try layout.readBlob(bundle.digest)))
    }

    /// Every signature of `signed` is at `source`, byte for byte: the legacy ones under their tags, the bundle
    /// among the image's referrers.
    static func expectSignatures(_ signed: Signed, at source: any ImageSource, _ hop: String, tag: String = "v1") throws {
        for (tag, bytes) in [signed.signature, signed.attestation] {
            let found = try source.resolve(.tag(tag))
            #expect(try source.manifest(found).bytes == bytes, "\(hop): \(tag)")
        }
        let referrers = try source.referrers(of: signed.image.digest)
        #expect(Set(referrers.compactMap(\.legacyTag)) == [signed.signature.tag, signed.attestation.tag], "\(hop)")
        let bundle = try #require(referrers.first { $0.descriptor.digest == signed.bundle.digest }, "\(hop): bundle")
        #expect(bundle.descriptor.artifactType == bundleType, "\(hop)")
        #expect(try source.manifest(bundle.descriptor).bytes == signed.bundle.bytes, "\(hop)")
        #expect(try source.resolve(.tag(tag)).digest == signed.image.digest, "\(hop)")
    }

    @Test func layoutToBundleToLayoutToRegistryAndBackKeepsEverySignatureByteForByte() async throws {
        try await InProcessServe.with { serve in
            try await offPool {
                let origin = try SyncFixtures.layout()
                let imported = try SyncFixtures.layout()
                let copied = try SyncFixtures.layout()
                let pulled = try SyncFixtures.layout()
                defer { SyncFixtures.remove(origin, imported, copied, pulled) }
                let signed = try Self.signed(in: origin)
                let bundle = SyncFixtures.temporaryDirectory() + "/bundle.tar"
                defer { try? FileManager.default.removeItem(atPath: (bundle as NSString).deletingLastPathComponent) }

                let (archive, _) = try ImageEndpoint.destination(
                    try ImageReference(parsing: "oci-archive:\(bundle):v1"), registry: RegistryOptions())
                let written = try ImageCopy(from: LayoutEndpoint(origin), to: archive).copy(.tag("v1"), tag: "v1")
                #expect(written.referrersCopied == 3)
                try Self.expectSignatures(signed, at: try ArchiveSource(path: bundle), "oci-archive")

                // Out of the bundle: imported (this image only, by its tag), and copied by the engine.
                _ = try imported.importArchive(from: bundle, options: ImportOptions(selection: .tag("v1")))
                try Self.expectSignatures(signed, at: LayoutEndpoint(imported), "imported")
                try ImageCopy(from: try ArchiveSource(path: bundle), to: LayoutEndpoint(copied)).copy(.tag("v1"), tag: "v1")
                try Self.expectSignatures(signed, at: LayoutEndpoint(copied), "copied out")

                let remote = serve.repository("signed/app")
                try ImageCopy(from: LayoutEndpoint(imported), to: remote).copy(.tag("v1"), tag: "v1")
                try Self.expectSignatures(signed, at: remote, "registry")
                let back = try ImageCopy(from: remote, to: LayoutEndpoint(pulled)).copy(.tag("v1"), tag: "v1")
                #expect(back.referrersCopied == 3)
                try Self.expectSignatures(signed, at: LayoutEndpoint(pulled), "pulled")
                #expect(try pulled.check().isClean)
            }
        }
    }

    @Test func aBundleWithLegacySignaturesHoldsOneImage() throws {
        let origin = try SyncFixtures.layout()
        let target = try SyncFixtures.layout()
        defer { SyncFixtures.remove(origin, target) }
        let signed = try Self.signed(in: origin)
        let bundle = SyncFixtures.temporaryDirectory() + "/bundle.tar"
        defer { try? FileManager.default.removeItem(atPath: (bundle as NSString).deletingLastPathComponent) }
        try exportArchive([ExportItem(source: LayoutEndpoint(origin), descriptor: signed.image, tag: "v1")], to: bundle)
        // The signatures are not images of their own: the one image is the default, and takes a new tag alone.
        let archive = try ArchiveSource(path: bundle)
        #expect(try archive.resolve(nil).digest == signed.image.digest)
        #expect(archive.images.map(\.descriptor.digest) == [signed.image.digest])
        let result = try target.importArchive(from: bundle, options: ImportOptions(tag: "prod"))
        #expect(result.images.count == 4)
        #expect(try target.resolve(.tag("prod")).digest == signed.image.digest)
        #expect(try target.readIndex().tags.sorted() == ["prod", signed.attestation.tag, signed.signature.tag].sorted())
        try Self.expectSignatures(signed, at: LayoutEndpoint(target), "imported with a new tag", tag: "prod")
    }
}
