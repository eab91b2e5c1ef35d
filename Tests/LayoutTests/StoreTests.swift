// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
import Testing

@Suite("Layout store: blobs, index.json, tags, referrers")
struct StoreTests {
    let layout: OCILayout

    init() throws {
        layout = try OCILayout.create(at: LayoutFixtures.makeTemporaryDirectory() + "/layout")
    }

    @Test func createWritesSpecFiles() throws {
        let text = try String(contentsOfFile: layout.path + "/oci-layout", encoding: .utf8)
        #expect(text == #"{"imageLayoutVersion":"1.0.0"}"#)
        #expect(try layout.readIndex().manifests.isEmpty)
        #expect(throws: LayoutError.layoutMissing("/nonexistent/x")) { try OCILayout(at: "/nonexistent/x") }
    }

    /// What a failed command that created a layout may remove: the layout only while nothing was written to it.
    @Test func removeIfEmptyKeepsALayoutAnyoneWroteTo() throws {
        let other = try OCILayout.create(at: LayoutFixtures.makeTemporaryDirectory() + "/other")
        try other.writeBlob(Data("a blob someone pushed".utf8))
        #expect(!other.removeIfEmpty())
        #expect(FileManager.default.fileExists(atPath: other.path + "/oci-layout"))
        try Data("notes".utf8).write(to: URL(fileURLWithPath: layout.path + "/README"))
        #expect(!layout.removeIfEmpty(), "a file of the user's keeps the directory")
        try FileManager.default.removeItem(atPath: layout.path + "/README")
        #expect(layout.removeIfEmpty())
        #expect(!FileManager.default.fileExists(atPath: layout.path))
    }

    @Test func blobWriterVerifiesBeforeCommit() throws {
        let data = LayoutFixtures.randomBytes(5000)
        let writer = try BlobWriter(layout: layout)
        try writer.write(data)
        let wrong = Digest.sha256(of: Data("other".utf8))
        #expect(throws: LayoutError.digestMismatch(expected: wrong, actual: Digest.sha256(of: data))) {
            try writer.finish(expected: wrong)
        }
        // Nothing visible, nothing left behind.
        #expect(layout.allBlobs().isEmpty)
        #expect(FileSystem.list(layout.path + "/.ocitool/tmp").isEmpty)
        let stored = try layout.writeBlob(data)
        #expect(layout.blobSize(stored.digest) == 5000)
        #expect(try layout.readBlob(stored.digest, limit: 10000) == data)
    }

    @Test func stagedBlobInvisibleUntilCommit() throws {
        let writer = try BlobWriter(layout: layout)
        try writer.write(Data("hello".utf8))
        let staged = try writer.finish(expectedSize: 5)
        #expect(layout.blobSize(staged.digest) == nil)
        try staged.commit()
        #expect(layout.blobSize(staged.digest) == 5)
    }

    @Test func corruptBlobIsDetectedOnRead() throws {
        let stored = try layout.writeBlob(Data("content".utf8))
        try Data("CONTENT".utf8).write(to: URL(fileURLWithPath: layout.blobPath(stored.digest)))
        #expect(throws: LayoutError.self) { try layout.readBlob(stored.digest) }
    }

    @Test func manifestNeedsItsBlobs() throws {
        let missing = Digest.sha256(of: Data("missing".utf8))
        let manifest = ImageManifest(
            config: Descriptor(mediaType: .ociConfig, digest: missing, size: 7), layers: [])
        #expect(throws: LayoutError.manifestBlobUnknown(missing)) {
            try layout.putManifest(try JSONEncoder.ocitool.encode(manifest), tag: "v1")
        }
        #expect(try layout.readIndex().manifests.isEmpty)
    }

    @Test func tagsMoveAndUntaggedStaysReachable() throws {
        let first = try LayoutFixtures.pushRandomImage(layout: layout, tag: "v1")
        let second = try LayoutFixtures.pushRandomImage(layout: layout, tag: "v1")
        var index = try layout.readIndex()
        #expect(index.entry(tagged: "v1")?.digest == second.digest)
        // The displaced manifest stays listed, untagged, until gc --untagged.
        #expect(index.entries(for: first.digest).count == 1)
        #expect(index.entries(for: first.digest).first?.refName == nil)

        try layout.tag("stable", to: second)
        #expect(try layout.readIndex().tags == ["stable", "v1"])
        try layout.untag("v1")
        index = try layout.readIndex()
        #expect(index.tags == ["stable"])
        #expect(throws: LayoutError.manifestNotFound("\(layout.path):v1")) { try layout.untag("v1") }
        #expect(try layout.removeManifest(second.digest) == ["stable"])
        #expect(try layout.readIndex().entries(for: second.digest).isEmpty)
    }

    @Test func resolveBySelector() throws {
        let image = try LayoutFixtures.pushRandomImage(layout: layout, tag: "v1")
        #expect(try layout.resolve(nil).digest == image.digest)
        #expect(try layout.resolve(.tag("v1")).digest == image.digest)
        #expect(try layout.resolve(.digest(image.digest)).digest == image.digest)
        #expect(throws: LayoutError.manifestNotFound("\(layout.path):nope")) { try layout.resolve(.tag("nope")) }
        try LayoutFixtures.pushRandomImage(layout: layout, tag: "v2")
        #expect(throws: LayoutError.self) { try layout.resolve(nil) }
    }

    @Test func referrersAnsweredFromIndex() throws {
        let image = try LayoutFixtures.pushRandomImage(layout: layout, tag: "v1")
        let sbom = try LayoutFixtures.pushArtifact(layout: layout, subject: image, artifactType: "application/spdx+json")
        let signature = try LayoutFixtures.pushArtifact(layout: layout, subject: image, artifactType: "application/vnd.dev.cosign")
        let referrers = try layout.referrers(of: image.digest)
        #expect(Set(referrers.map(\.digest)) == [sbom.digest, signature.digest])
        #expect(referrers.allSatisfy { $0.annotations?[Annotation.subject] == nil })
        let filtered = try layout.referrers(of: image.digest, artifactType: "application/spdx+json")
        #expect(filtered.map(\.digest) == [sbom.digest])
        // Referrers never count as "the" image of the layout.
        #expect(try layout.resolve(nil).digest == image.digest)
    }

    /// A referrer known only from another tool's fallback index (`sha256-<hex>` tag) is listed; the index's
    /// stale entries (a manifest without that subject, one that is not here) are not.
    @Test func referrersFromFallbackTag() throws {
        let image = try LayoutFixtures.pushRandomImage(layout: layout, tag: "v1")
        let other = try LayoutFixtures.pushRandomImage(layout: layout, tag: "other")
        let empty = try layout.writeBlob(Data("{}".utf8))
        let artifact = try JSONEncoder.ocitool.encode(
            ImageManifest(
                mediaType: .ociManifest, artifactType: "application/example",
                config: Descriptor(mediaType: .ociEmpty, digest: empty.digest, size: empty.size), layers: [],
                subject: image))
        let stored = try layout.writeBlob(artifact)  // present, but not listed in index.json
        var listed = Descriptor(mediaType: .ociManifest, digest: stored.digest, size: stored.size)
        listed.artifactType = "application/example"
        let missing = Descriptor(mediaType: .ociManifest, digest: Digest.sha256(of: Data("gone".utf8)), size: 4)
        let fallback = try layout.writeBlob(try JSONEncoder.ocitool.encode(ImageIndex(manifests: [other, listed, missing])))
        try layout.tag(
            image.digest.referrersTag, to: Descriptor(mediaType: .ociIndex, digest: fallback.digest, size: fallback.size))
        let referrers = try layout.referrers(of: image.digest)
        #expect(referrers.map(\.digest) == [stored.digest])
        #expect(referrers.first?.artifactType == "application/example")
    }

    @Test func concurrentTaggingLosesNothing() async throws {
        let image = try LayoutFixtures.pushRandomImage(layout: layout, tag: "base")
        let layout = self.layout
        // Each task opens its own lock descriptor, as separate processes would.
        await withTaskGroup(of: Void.self) { group in
            for number in 0..<40 {
                group.addTask { try? layout.tag("t\(number)", to: image) }
            }
        }
        #expect(try layout.readIndex().tags.count == 41)
    }

    @Test func putManifestVerifiesTheExpectedDigestEvenWhenTheBlobExists() throws {
        let image = try LayoutFixtures.pushRandomImage(layout: layout, tag: "v1")
        let genuine = try layout.manifest(image).bytes
        var forged = genuine
        forged[forged.startIndex + 2] ^= 0x01  // same size, other content
        #expect(throws: LayoutError.self) {
            try layout.putManifest(forged, tag: "forged", expected: image.digest)
        }
        #expect(try layout.readIndex().entry(tagged: "forged") == nil)
        #expect(try layout.readBlob(image.digest) == genuine)
    }

    @Test func taggingAManifestThatVanishedFails() throws {
        let image = try LayoutFixtures.pushRandomImage(layout: layout, tag: "v1")
        try layout.removeManifest(image.digest)
        try layout.removeBlob(image.digest)  // as a concurrent gc would
        #expect(throws: LayoutError.manifestNotFound("\(layout.path)@\(image.digest)")) {
            try layout.tag("again", to: image)
        }
        #expect(try layout.readIndex().manifests.isEmpty)
    }

    @Test func copyBlobReplacesATruncatedTarget() throws {
        let source = try OCILayout.create(at: LayoutFixtures.makeTemporaryDirectory() + "/source")
        let blob = try source.writeBlob(LayoutFixtures.randomBytes(4096))
        try LayoutFixtures.overwrite(layout.blobPath(blob.digest), with: LayoutFixtures.randomBytes(10))
        try layout.copyBlob(blob.digest, from: source)
        #expect(try layout.readBlob(blob.digest, limit: 8192).count == 4096)
    }

    @Test(arguments: [
        ("x", ".", "x"), ("dir/x", "dir", "x"), ("/x", "/", "x"), ("/a/b/", "/a", "b"), ("a//b", "a/", "b"),
    ])
    func pathComponents(path: String, parent: String, base: String) {
        // Foundation's deletingLastPathComponent traps on "x" with this toolchain; ours must not.
        #expect(FileSystem.parentDirectory(of: path) == parent)
        #expect(FileSystem.baseName(of: path) == base)
    }
}
