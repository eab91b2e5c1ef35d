// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
import Testing

@Suite("Attach artifacts and discover referrers")
struct AttachTests {
    let scratch = ExportScratch()

    private func file(_ name: String, _ data: Data) throws -> String {
        let path = "\(scratch.path)/\(name)"
        try data.write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func attachStoresAnArtifactListedAsReferrer() throws {
        let layout = try scratch.layout("layout")
        let image = try ExportFixtures.pushImage(layout, scratch: scratch, tag: "v1")
        let content = LayoutFixtures.randomBytes(3 << 20 + 17)  // several read chunks
        let path = try file("sbom.spdx.json", content)
        let created = Date(timeIntervalSince1970: 1_700_000_000)
        let artifact = try layout.attach(
            [AttachFile(path: path, mediaType: "application/spdx+json")], artifactType: ExportFixtures.sbomType,
            annotations: ["com.example.tool": "syft"], to: image, created: created)

        let listed = try layout.referrers(of: image.digest)
        #expect(listed.map(\.digest) == [artifact.digest])
        #expect(listed.first?.artifactType == ExportFixtures.sbomType)
        #expect(listed.first?.annotations?["com.example.tool"] == "syft")
        #expect(listed.first?.annotations?[Annotation.created] == "2023-11-14T22:13:20Z")
        #expect(try layout.resolve(.tag("v1")).digest == image.digest, "the tag stays on the image")

        let bytes = try layout.readBlob(artifact.digest)
        let manifest = try ExportFixtures.image(layout, artifact)
        #expect(manifest.mediaType == .ociManifest && manifest.schemaVersion == 2)
        #expect(manifest.artifactType == ExportFixtures.sbomType)
        #expect(manifest.config == Descriptor.emptyJSON)
        #expect(manifest.config.digest.description
            == "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a")
        #expect(String(decoding: bytes, as: UTF8.self).contains(#""data":"e30=""#))
        #expect(try layout.readBlob(manifest.config.digest) == Data("{}".utf8))
        #expect(manifest.layers.count == 1)
        #expect(manifest.layers.first?.digest == Digest.sha256(of: content))
        #expect(manifest.layers.first?.size == Int64(content.count))
        #expect(manifest.layers.first?.mediaType == "application/spdx+json")
        #expect(manifest.layers.first?.annotations == [Annotation.title: "sbom.spdx.json"])
        #expect(manifest.subject == Descriptor(mediaType: .ociManifest, digest: image.digest, size: image.size))
    }

    @Test func attachWithoutFilesUsesTheEmptyLayer() throws {
        let layout = try scratch.layout("layout")
        let image = try ExportFixtures.pushImage(layout, scratch: scratch, tag: "v1")
        let artifact = try layout.attach(
            [], artifactType: "application/vnd.example.approval", annotations: [Annotation.created: "given"],
            to: image)
        let manifest = try ExportFixtures.image(layout, artifact)
        #expect(manifest.layers == [Descriptor.emptyJSON])
        #expect(manifest.annotations == [Annotation.created: "given"])
        #expect(try layout.referrers(of: image.digest, artifactType: "application/vnd.example.approval").count == 1)
    }

    @Test func attachNeedsTheSubject() throws {
        let layout = try scratch.layout("layout")
        let other = try scratch.layout("other")
        let image = try ExportFixtures.pushImage(other, scratch: scratch, tag: "v1")
        #expect(throws: LayoutError.manifestNotFound("\(layout.path)@\(image.digest)")) {
            try layout.attach([], artifactType: ExportFixtures.sbomType, to: image)
        }
        #expect(try layout.readIndex().manifests.isEmpty)
    }

    @Test func referrerTreeNestsSignaturesUnderSBOMs() throws {
        let layout = try scratch.layout("layout")
        let image = try ExportFixtures.pushImage(layout, scratch: scratch, tag: "v1")
        let sbom = try layout.attach(
            [AttachFile(path: try file("sbom.json", Data("{}".utf8)))], artifactType: ExportFixtures.sbomType,
            annotations: [:], to: image)
        let sbomSignature = try layout.attach(
            [AttachFile(path: try file("sig", Data("sig1".utf8)))], artifactType: ExportFixtures.signatureType,
            annotations: [:], to: sbom)
        let imageSignature = try layout.attach(
            [AttachFile(path: try file("sig2", Data("sig2".utf8)))], artifactType: ExportFixtures.signatureType,
            annotations: [:], to: image)

        let tree = try layout.referrerTree(of: image.digest)
        #expect(tree.map(\.descriptor.digest) == [sbom.digest, imageSignature.digest])
        #expect(tree[0].descriptor.artifactType == ExportFixtures.sbomType)
        #expect(tree[0].referrers.map(\.descriptor.digest) == [sbomSignature.digest])
        #expect(tree[0].referrers[0].descriptor.artifactType == ExportFixtures.signatureType)
        #expect(tree[1].referrers.isEmpty)

        // The artifact type filters the top level; the SBOM keeps its signature.
        let sboms = try layout.referrerTree(of: image.digest, artifactType: ExportFixtures.sbomType)
        #expect(sboms.map(\.descriptor.digest) == [sbom.digest])
        #expect(sboms[0].referrers.map(\.descriptor.digest) == [sbomSignature.digest])
        // Depth 1 gives the direct referrers only.
        #expect(try layout.referrerTree(of: image.digest, depth: 1).allSatisfy(\.referrers.isEmpty))
        #expect(try layout.referrerTree(of: sbom.digest).map(\.descriptor.digest) == [sbomSignature.digest])
    }

    @Test func referrerTreeSurvivesCycles() throws {
        // A hand-made fallback index (`sha256-<hex>` tag) can list anything, even the subject's own ancestor; only
        // manifests whose subject really is the SBOM count, so the walk ends.
        let layout = try scratch.layout("layout")
        let image = try ExportFixtures.pushImage(layout, scratch: scratch, tag: "v1")
        let sbom = try ExportFixtures.pushArtifact(layout, subject: image, artifactType: ExportFixtures.sbomType)
        let fallback = ImageIndex(manifests: [image])
        try layout.putManifest(
            try JSONEncoder.ocitool.encode(fallback), mediaType: .ociIndex, tag: sbom.digest.referrersTag)
        let tree = try layout.referrerTree(of: image.digest)
        #expect(tree.map(\.descriptor.digest) == [sbom.digest])
        #expect(tree[0].referrers.isEmpty, "the image does not refer to the SBOM")
        // Copy walks the same graph and ends.
        let destination = try scratch.layout("destination")
        let result = try copyImage(from: layout, image, to: destination, tag: "v1", options: CopyOptions())
        #expect(result.referrersCopied == 1)
    }
}
