// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing

@testable import Layout

@Suite("Garbage collection")
struct GCTests {
    let layout: OCILayout

    init() throws { layout = try LayoutFixtures.makeLayout() }

    /// Every blob a tagged image needs: manifest, config, layers.
    private func blobs(of descriptor: Descriptor) throws -> Set<Digest> {
        Set(try LayoutFixtures.references(layout, of: descriptor) + [descriptor.digest])
    }

    @Test func removesUnreferencedBlobsAndReportsBytes() throws {
        defer { LayoutFixtures.remove(layout) }
        let kept = try LayoutFixtures.pushRandomImage(layout: layout, tag: "keep")
        let stray1 = try layout.writeBlob(LayoutFixtures.randomBytes(1234))
        let stray2 = try layout.writeBlob(LayoutFixtures.randomBytes(777))
        LayoutFixtures.ageEverything(layout)

        let report = try layout.collectGarbage()

        #expect(Set(report.removedBlobs.map(\.digest)) == [stray1.digest, stray2.digest])
        #expect(report.bytesFreed == 1234 + 777)
        #expect(report.removedBlobs.first { $0.digest == stray1.digest }?.size == 1234)
        #expect(!report.dryRun)
        #expect(Set(layout.allBlobs()) == (try blobs(of: kept)))
        #expect(try layout.check().isClean)
    }

    /// Writers that find a blob present only refresh its mtime, without the lock. A blob gc judged old but that a
    /// writer refreshed before gc took it is put back; one nobody refreshed goes, leaving nothing aside.
    @Test func aBlobRefreshedWhileGCDecidesIsKept() throws {
        defer { LayoutFixtures.remove(layout) }
        let refreshed = try layout.writeBlob(LayoutFixtures.randomBytes(500))
        let stale = try layout.writeBlob(LayoutFixtures.randomBytes(600))
        LayoutFixtures.ageEverything(layout)
        // gc has seen both as old; now a writer pushes `refreshed` again and finds it present.
        #expect(FileSystem.touch(layout.blobPath(refreshed.digest)))
        #expect(try !layout.removeUnlessRefreshed(refreshed.digest, grace: 3600))
        #expect(try layout.removeUnlessRefreshed(stale.digest, grace: 3600))
        #expect(layout.allBlobs() == [refreshed.digest])
        #expect(try layout.readBlob(refreshed.digest).count == 500)
        #expect(FileSystem.list(layout.path + "/.ocitool/tmp").isEmpty)
        // A writer touching a blob gc has taken learns that it is gone, and writes it anew.
        #expect(!FileSystem.touch(layout.blobPath(stale.digest)))
    }

    @Test func keepsEveryChildOfAMultiArchIndex() throws {
        defer { LayoutFixtures.remove(layout) }
        let platforms = [
            Platform(architecture: "amd64", os: "linux"), Platform(architecture: "arm64", os: "linux", variant: "v8"),
        ]
        var children: [Descriptor] = []
        var expected = Set<Digest>()
        for platform in platforms {
            var child = try LayoutFixtures.writeRandomImage(layout: layout, layers: 2, platform: platform)
            child.platform = platform
            children.append(child)
            expected.formUnion(try blobs(of: child))
        }
        let index = try LayoutFixtures.pushIndex(layout: layout, children: children, tag: "multi")
        expected.insert(index.digest)
        // The children are not listed in index.json: only the index reaches them.
        #expect(try layout.readIndex().manifests.map(\.digest) == [index.digest])
        LayoutFixtures.ageEverything(layout)

        let report = try layout.collectGarbage(GCOptions(untagged: true))

        #expect(report.removedBlobs.isEmpty)
        #expect(Set(layout.allBlobs()) == expected)
    }

    @Test func keepsReferrersAndReferrersOfReferrers() throws {
        defer { LayoutFixtures.remove(layout) }
        let image = try LayoutFixtures.pushRandomImage(layout: layout, tag: "v1")
        let sbom = try LayoutFixtures.pushArtifact(layout: layout, subject: image)
        let signature = try LayoutFixtures.pushArtifact(
            layout: layout, subject: sbom, artifactType: "application/vnd.example.signature")
        let before = Set(layout.allBlobs())
        LayoutFixtures.ageEverything(layout)

        let report = try layout.collectGarbage(GCOptions(grace: 0, untagged: true))

        #expect(report.removedBlobs.isEmpty)
        #expect(report.droppedEntries.isEmpty)
        #expect(Set(layout.allBlobs()) == before)
        #expect(try layout.referrers(of: image.digest).map(\.digest) == [sbom.digest])
        #expect(try layout.referrers(of: sbom.digest).map(\.digest) == [signature.digest])
    }

    @Test func dropsReferrersWhoseSubjectIsGone() throws {
        defer { LayoutFixtures.remove(layout) }
        let kept = try LayoutFixtures.pushRandomImage(layout: layout, tag: "kept")
        let gone = try LayoutFixtures.pushRandomImage(layout: layout, tag: "gone")
        let sbom = try LayoutFixtures.pushArtifact(layout: layout, subject: gone)
        let signature = try LayoutFixtures.pushArtifact(layout: layout, subject: sbom)
        try layout.removeManifest(gone.digest)

        let report = try layout.collectGarbage(GCOptions(grace: 0))

        #expect(Set(report.droppedEntries.map(\.digest)) == [sbom.digest, signature.digest])
        #expect(try layout.readIndex().manifests.map(\.digest) == [kept.digest])
        let removed = Set(report.removedBlobs.map(\.digest))
        #expect(removed.isSuperset(of: [gone.digest, sbom.digest, signature.digest]))
        #expect(Set(layout.allBlobs()) == (try blobs(of: kept)))
        #expect(try layout.check().isClean)
    }

    @Test func referrerWithoutAnnotationIsFoundThroughItsManifest() throws {
        defer { LayoutFixtures.remove(layout) }
        let image = try LayoutFixtures.pushRandomImage(layout: layout, tag: "v1")
        let gone = try LayoutFixtures.pushRandomImage(layout: layout, tag: "gone")
        let live = try LayoutFixtures.pushArtifact(layout: layout, subject: image)
        let orphan = try LayoutFixtures.pushArtifact(layout: layout, subject: gone)
        try layout.removeManifest(gone.digest)
        // As another tool would write them: no subject annotation on the entries.
        try layout.updateIndex { (index) throws(LayoutError) in
            for offset in index.manifests.indices {
                index.manifests[offset].annotations = index.manifests[offset].refName.map { [Annotation.refName: $0] }
            }
        }

        let report = try layout.collectGarbage(GCOptions(grace: 0, untagged: true))

        #expect(report.droppedEntries.map(\.digest) == [orphan.digest])
        #expect(layout.blobSize(live.digest) != nil)
        #expect(layout.blobSize(orphan.digest) == nil)
    }

    @Test func untaggedManifestsAreKeptByDefaultAndDroppedOnRequest() throws {
        defer { LayoutFixtures.remove(layout) }
        let tagged = try LayoutFixtures.pushRandomImage(layout: layout, tag: "v1")
        let untagged = try LayoutFixtures.pushRandomImage(layout: layout, tag: nil)
        let untaggedBlobs = try blobs(of: untagged)
        LayoutFixtures.ageEverything(layout)

        let first = try layout.collectGarbage()
        #expect(first.removedBlobs.isEmpty && first.droppedEntries.isEmpty)
        #expect(layout.blobSize(untagged.digest) != nil)

        let second = try layout.collectGarbage(GCOptions(untagged: true))
        #expect(second.droppedEntries.map(\.digest) == [untagged.digest])
        #expect(Set(second.removedBlobs.map(\.digest)) == untaggedBlobs)
        #expect(try layout.readIndex().manifests.map(\.digest) == [tagged.digest])
        #expect(Set(layout.allBlobs()) == (try blobs(of: tagged)))
    }

    @Test func graceSparesYoungBlobsAndTemporaryFiles() throws {
        defer { LayoutFixtures.remove(layout) }
        try LayoutFixtures.pushRandomImage(layout: layout, tag: "v1")
        let old = try layout.writeBlob(LayoutFixtures.randomBytes(100))
        LayoutFixtures.ageEverything(layout)
        // A push in flight: its blob is committed but its manifest is not listed yet; another is still staged.
        let young = try layout.writeBlob(LayoutFixtures.randomBytes(200))
        let staged = try BlobWriter(layout: layout)
        try staged.write(LayoutFixtures.randomBytes(50))
        let stale = layout.path + "/.ocitool/tmp/blob-2147483646-crashed"
        try LayoutFixtures.overwrite(stale, with: LayoutFixtures.randomBytes(40))
        LayoutFixtures.age(stale, by: 7200)

        let report = try layout.collectGarbage(GCOptions(grace: 600))

        #expect(report.removedBlobs.map(\.digest) == [old.digest])
        #expect(report.sparedYoung == [young.digest])
        #expect(report.removedTemporaryFiles == [".ocitool/tmp/blob-2147483646-crashed"])
        #expect(report.bytesFreed == 100 + 40)
        #expect(layout.blobSize(young.digest) == 200)
        #expect(FileSystem.fileSize(stale) == nil)
        // The staged write can still complete.
        try staged.finish().commit()
    }

    @Test func dryRunChangesNothingAndReportsThePlan() throws {
        defer { LayoutFixtures.remove(layout) }
        try LayoutFixtures.pushRandomImage(layout: layout, tag: "v1")
        let gone = try LayoutFixtures.pushRandomImage(layout: layout, tag: "gone")
        try LayoutFixtures.pushArtifact(layout: layout, subject: gone)
        try layout.untag("gone")
        try layout.writeBlob(LayoutFixtures.randomBytes(500))
        LayoutFixtures.ageEverything(layout)
        let indexBefore = try Data(contentsOf: URL(fileURLWithPath: layout.path + "/index.json"))
        let blobsBefore = Set(layout.allBlobs())

        let plan = try layout.collectGarbage(GCOptions(dryRun: true, untagged: true))

        #expect(plan.dryRun)
        #expect(plan.droppedEntries.count == 2)
        #expect(!plan.removedBlobs.isEmpty)
        #expect(try Data(contentsOf: URL(fileURLWithPath: layout.path + "/index.json")) == indexBefore)
        #expect(Set(layout.allBlobs()) == blobsBefore)

        var done = try layout.collectGarbage(GCOptions(untagged: true))
        #expect(!done.dryRun)
        done.dryRun = true
        #expect(done == plan)
        #expect(Set(layout.allBlobs()) == blobsBefore.subtracting(plan.removedBlobs.map(\.digest)))
    }

    @Test func refusesToSweepWhenALiveManifestIsCorrupt() throws {
        defer { LayoutFixtures.remove(layout) }
        let image = try LayoutFixtures.pushRandomImage(layout: layout, tag: "v1")
        try LayoutFixtures.overwrite(layout.blobPath(image.digest), with: Data(#"{"schemaVersion":2}"#.utf8))
        LayoutFixtures.ageEverything(layout)
        let before = Set(layout.allBlobs())

        #expect(throws: LayoutError.self) { try layout.collectGarbage() }
        #expect(Set(layout.allBlobs()) == before)
    }

    @Test func concurrentWritersDuringGCLoseNothing() async throws {
        defer { LayoutFixtures.remove(layout) }
        let image = try LayoutFixtures.pushRandomImage(layout: layout, tag: "base")
        let layout = self.layout
        // GC rewrites index.json (dropping untagged entries) while tags and pushes land: none may be lost, and a
        // push in flight must not lose its young blobs.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for round in 0..<8 {
                group.addTask { try layout.tag("t\(round)", to: image) }
                group.addTask { try LayoutFixtures.pushRandomImage(layout: layout, tag: nil) }
                group.addTask { try LayoutFixtures.pushRandomImage(layout: layout, tag: "p\(round)") }
                group.addTask { _ = try layout.collectGarbage(GCOptions(untagged: true)) }
            }
            try await group.waitForAll()
        }
        let expected = ["base"] + (0..<8).flatMap { ["t\($0)", "p\($0)"] }
        #expect(try layout.readIndex().tags == expected.sorted())
        #expect(try layout.check().isClean)
    }

    @Test func aYoungReferrerWaitingForItsSubjectIsSpared() throws {
        defer { LayoutFixtures.remove(layout) }
        let subject = try LayoutFixtures.writeRandomImage(layout: layout)  // not listed yet: still being pushed
        let referrer = try LayoutFixtures.pushArtifact(layout: layout, subject: subject)
        var report = try layout.collectGarbage(GCOptions(grace: 600))
        #expect(report.droppedEntries.isEmpty)
        #expect(try layout.readIndex().entries(for: referrer.digest).count == 1)
        // Once old, a referrer whose subject never came is dropped.
        LayoutFixtures.ageEverything(layout)
        report = try layout.collectGarbage(GCOptions(grace: 600))
        #expect(report.droppedEntries.map(\.digest) == [referrer.digest])
    }
}
