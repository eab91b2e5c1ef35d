// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
import Testing

@Suite("fsck: layout invariants and repair")
struct FsckTests {
    let layout: OCILayout

    init() throws { layout = try LayoutFixtures.makeLayout() }

    private func kinds(_ report: FsckReport) -> [FsckProblem.Kind] { report.problems.map(\.kind) }

    private func firstLayer(of image: Descriptor) throws -> Descriptor {
        guard case .image(let manifest) = try layout.manifest(image).kind, let layer = manifest.layers.first else {
            throw LayoutError.invalidArgument("not an image with layers")
        }
        return layer
    }

    @Test func freshLayoutWithImagesIsClean() throws {
        defer { LayoutFixtures.remove(layout) }
        let image = try LayoutFixtures.pushRandomImage(layout: layout, tag: "v1", layers: 3)
        var children: [Descriptor] = []
        for platform in [Platform(architecture: "amd64", os: "linux"), Platform(architecture: "arm64", os: "linux")] {
            var child = try LayoutFixtures.writeRandomImage(layout: layout, platform: platform)
            child.platform = platform
            children.append(child)
        }
        try LayoutFixtures.pushIndex(layout: layout, children: children, tag: "multi")
        try LayoutFixtures.pushArtifact(layout: layout, subject: image)

        let report = try layout.check()

        #expect(report.isClean, "\(report.problems)")
        #expect(report.repaired.isEmpty && report.temporaryFiles.isEmpty)
        #expect(report.blobsChecked == layout.allBlobs().count)
        #expect(report.bytesChecked == layout.allBlobs().reduce(0) { $0 + (layout.blobSize($1) ?? 0) })
        #expect(report.manifestsChecked == 5)  // image, index, two children, artifact
    }

    @Test func detectsACorruptedBlob() throws {
        defer { LayoutFixtures.remove(layout) }
        let image = try LayoutFixtures.pushRandomImage(layout: layout, tag: "v1")
        let layer = try firstLayer(of: image)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: layout.blobPath(layer.digest)))
        bytes[10] ^= 0xFF
        try LayoutFixtures.overwrite(layout.blobPath(layer.digest), with: bytes)

        let report = try layout.check()

        #expect(kinds(report) == [.corruptBlob])
        #expect(report.problems.first?.digest == layer.digest)
        #expect(report.problems.first?.message == "blob \(layer.digest) has content \(Digest.sha256(of: bytes))")
    }

    @Test func detectsAMissingLayer() throws {
        defer { LayoutFixtures.remove(layout) }
        let image = try LayoutFixtures.pushRandomImage(layout: layout, tag: "v1")
        let layer = try firstLayer(of: image)
        try layout.removeBlob(layer.digest)

        let report = try layout.check()

        #expect(kinds(report) == [.missingBlob])
        #expect(report.problems.first?.digest == layer.digest)
        #expect(report.problems.first?.message.contains("of manifest \(image.digest)") == true)
    }

    @Test func detectsATruncatedBlob() throws {
        defer { LayoutFixtures.remove(layout) }
        let image = try LayoutFixtures.pushRandomImage(layout: layout, tag: "v1")
        let layer = try firstLayer(of: image)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: layout.blobPath(layer.digest)))
        try LayoutFixtures.overwrite(layout.blobPath(layer.digest), with: bytes.prefix(50))

        let report = try layout.check()

        #expect(kinds(report) == [.corruptBlob, .sizeMismatch])
        #expect(report.problems.allSatisfy { $0.digest == layer.digest })
        #expect(report.problems.last?.message.contains("is 50 bytes but its descriptor says \(layer.size)") == true)
    }

    /// A malformed index.json is reported (not thrown): the blobs are still checked.
    @Test func reportsAMalformedIndex() throws {
        defer { LayoutFixtures.remove(layout) }
        try LayoutFixtures.pushRandomImage(layout: layout, tag: "v1")
        let malformed = Data(#"{"schemaVersion":2,"manifests":[{"#.utf8)
        try LayoutFixtures.overwrite(layout.path + "/index.json", with: malformed)

        let report = try layout.check(repair: true)

        #expect(kinds(report) == [.invalidIndex])
        #expect(report.blobsChecked == 4)
        // A repair cannot rebuild index.json and leaves it as it is.
        #expect(try Data(contentsOf: URL(fileURLWithPath: layout.path + "/index.json")) == malformed)
    }

    @Test func referrerListedWithoutAnnotationIsFoundAndRepaired() throws {
        defer { LayoutFixtures.remove(layout) }
        let image = try LayoutFixtures.pushRandomImage(layout: layout, tag: "v1")
        let sbom = try LayoutFixtures.pushArtifact(layout: layout, subject: image)
        try layout.updateIndex { (index) throws(LayoutError) in
            for offset in index.manifests.indices where index.manifests[offset].digest == sbom.digest {
                index.manifests[offset].annotations?.removeValue(forKey: Annotation.subject)
            }
        }
        // As other tools list referrers: found through the manifest's subject, with its artifact type.
        let found = try layout.referrers(of: image.digest)
        #expect(found.map(\.digest) == [sbom.digest])
        #expect(found.first?.artifactType == "application/vnd.example.sbom")
        #expect(try layout.check().isClean)

        let repaired = try layout.check(repair: true)
        #expect(repaired.isClean)
        #expect(repaired.repaired.count == 1)
        let entry = try layout.readIndex().entries(for: sbom.digest).first
        #expect(entry?.annotations?[Annotation.subject] == image.digest.description)
        #expect(try layout.referrers(of: image.digest).map(\.digest) == [sbom.digest])
    }

    @Test func detectsInvalidAndDuplicateTags() throws {
        defer { LayoutFixtures.remove(layout) }
        let one = try LayoutFixtures.pushRandomImage(layout: layout, tag: "v1")
        let two = try LayoutFixtures.pushRandomImage(layout: layout, tag: "v2")
        try layout.updateIndex { (index) throws(LayoutError) in
            index.manifests[1].annotations = [Annotation.refName: "v1"]
            var bad = one
            bad.annotations = [Annotation.refName: "-bad"]
            index.manifests.append(bad)
        }

        let report = try layout.check()

        #expect(kinds(report) == [.invalidTag, .duplicateTag])
        #expect(report.problems.last?.message == "tag 'v1' is listed 2 times in index.json (\(one.digest), \(two.digest))")
    }

    @Test func repairRemovesTemporaryFilesAndCorruptBlobsAndReportsWhatRemains() throws {
        defer { LayoutFixtures.remove(layout) }
        let damaged = try LayoutFixtures.pushRandomImage(layout: layout, tag: "damaged")
        let broken = try LayoutFixtures.pushRandomImage(layout: layout, tag: "broken")
        let healthy = try LayoutFixtures.pushRandomImage(layout: layout, tag: "healthy")
        let layer = try firstLayer(of: damaged)
        try LayoutFixtures.overwrite(layout.blobPath(layer.digest), with: Data("garbage".utf8))
        try LayoutFixtures.overwrite(layout.blobPath(broken.digest), with: Data("{}".utf8))
        let stray = try layout.writeBlob(LayoutFixtures.randomBytes(64))
        try LayoutFixtures.overwrite(layout.blobPath(stray.digest), with: LayoutFixtures.randomBytes(64))
        // Left by writers killed mid-write (their pids are gone), and one write still in flight in this process.
        try LayoutFixtures.overwrite(layout.path + "/.ocitool/tmp/blob-2147483646-1", with: LayoutFixtures.randomBytes(10))
        try LayoutFixtures.overwrite(layout.path + "/index.json.tmp-2147483646-2", with: Data("{".utf8))
        LayoutFixtures.age(layout.path + "/.ocitool/tmp/blob-2147483646-1", by: 7200)
        LayoutFixtures.age(layout.path + "/index.json.tmp-2147483646-2", by: 7200)
        let inFlight = try BlobWriter(layout: layout)
        try inFlight.write(LayoutFixtures.randomBytes(10))

        let before = try layout.check()
        #expect(Set(kinds(before)) == [.corruptBlob, .sizeMismatch])
        #expect(before.temporaryFiles.count == 3)

        let report = try layout.check(repair: true)

        // What no repair can bring back: the damaged image's layer.
        #expect(kinds(report) == [.missingBlob])
        #expect(report.problems.first?.digest == layer.digest)
        #expect(report.temporaryFiles.count == 1 && report.temporaryFiles[0].hasPrefix(".ocitool/tmp/blob-"))
        #expect(report.repaired.filter { $0.hasPrefix("removed temporary file") }.count == 2)
        #expect(report.repaired.filter { $0.hasPrefix("removed corrupt blob") }.count == 3)
        #expect(report.repaired.contains { $0.hasPrefix("dropped index.json entry 'broken'") })
        #expect(layout.blobSize(layer.digest) == nil && layout.blobSize(stray.digest) == nil)
        #expect(try layout.readIndex().tags == ["damaged", "healthy"])
        #expect(FileSystem.fileSize(layout.path + "/index.json.tmp-2147483646-2") == nil)

        // Once the unrepairable image is removed too, the layout is clean.
        try layout.removeManifest(damaged.digest)
        let final = try layout.check(repair: true)
        #expect(final.isClean && final.repaired.isEmpty)
        #expect(layout.blobSize(healthy.digest) != nil)
        try inFlight.finish().commit()
    }

    @Test func repairFixesWrongEntrySizeAndMediaType() throws {
        defer { LayoutFixtures.remove(layout) }
        let image = try LayoutFixtures.pushRandomImage(layout: layout, tag: "v1")
        try layout.updateIndex { (index) throws(LayoutError) in
            index.manifests[0].size += 1
            index.manifests[0].mediaType = .ociIndex
        }
        #expect(Set(kinds(try layout.check())) == [.sizeMismatch, .invalidManifest])

        let report = try layout.check(repair: true)

        #expect(report.isClean && report.repaired.count == 2)
        let entry = try layout.readIndex().manifests[0]
        #expect(entry.size == image.size && entry.mediaType == .ociManifest && entry.refName == "v1")
    }
}
