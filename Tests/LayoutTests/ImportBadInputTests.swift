// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
import Testing

/// Every rejected archive leaves the layout exactly as it was: same index.json bytes, no new blob, no
/// temporary file left behind.
@Suite("Importing rejects bad archives whole")
struct ImportBadInputTests {
    typealias Fixtures = ArchiveFixtures

    /// Runs `body` with a layout that already holds one image (so "unchanged" means something) and a scratch
    /// directory.
    static func withPopulatedLayout(_ body: (OCILayout, String) throws -> Void) throws {
        let directory = try Fixtures.scratch()
        defer { Fixtures.remove(directory) }
        let layout = try OCILayout.create(at: directory + "/layout")
        var existing = Fixtures.OCIArchive()
        existing.add(try Fixtures.image(in: directory), annotations: ["org.opencontainers.image.ref.name": "existing"])
        _ = try layout.importArchive(from: try Fixtures.archive(existing.entries(), in: directory))
        try body(layout, directory)
    }

    /// Imports `path`, expecting a failure that leaves the layout unchanged; returns the error.
    static func rejection(_ layout: OCILayout, _ path: String, options: ImportOptions = .init()) throws -> LayoutError? {
        let before = try Fixtures.state(of: layout)
        var caught: LayoutError?
        do {
            _ = try layout.importArchive(from: path, options: options)
            Issue.record("the import succeeded")
        } catch {
            caught = error
        }
        #expect(try Fixtures.state(of: layout) == before)
        return caught
    }

    /// A valid legacy archive with one large layer (staged on disk, not held in memory) and one small one.
    static func legacyEntries(_ directory: String, tags: [String] = ["app:1"]) throws -> (ArchiveFixtures.Image, [ArchiveFixtures.Entry]) {
        let big = try Fixtures.layer(in: directory, files: 1, size: 3 * 512 * 1024)
        let image = try Fixtures.image(in: directory, layers: 1, sharing: [big])
        return (image, Fixtures.legacyDockerArchive([(image, tags)]))
    }

    static func expectArchiveError(_ error: LayoutError?, _ prefix: String, sourceLocation: SourceLocation = #_sourceLocation) {
        guard case .archive(let reason)? = error else {
            Issue.record("expected LayoutError.archive, got \(String(describing: error))", sourceLocation: sourceLocation)
            return
        }
        #expect(reason.hasPrefix(prefix), "\(reason)", sourceLocation: sourceLocation)
    }

    static func expectUnsafe(_ error: LayoutError?, _ name: String, _ reasonPart: String, sourceLocation: SourceLocation = #_sourceLocation) {
        guard case .unsafeArchiveEntry(let entry, let reason)? = error else {
            Issue.record("expected LayoutError.unsafeArchiveEntry, got \(String(describing: error))", sourceLocation: sourceLocation)
            return
        }
        #expect(entry == name, sourceLocation: sourceLocation)
        #expect(reason.contains(reasonPart), "\(reason)", sourceLocation: sourceLocation)
    }

    @Test func truncatedArchive() throws {
        try Self.withPopulatedLayout { layout, directory in
            let path = try Fixtures.archive(try Self.legacyEntries(directory).1, in: directory)
            let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: path))
            let error = try Self.rejection(layout, path)
            Self.expectArchiveError(error, "")
        }
    }

    @Test func garbageIsNotATar() throws {
        try Self.withPopulatedLayout { layout, directory in
            let path = directory + "/garbage.tar"
            try Fixtures.random(100_000).write(to: URL(fileURLWithPath: path))
            Self.expectArchiveError(try Self.rejection(layout, path), "")
        }
    }

    @Test(arguments: [("../evil", "outside the archive"), ("a/../../evil", "outside the archive"), ("/etc/passwd", "absolute")])
    func entryNameLeavingTheArchive(name: String, reason: String) throws {
        try Self.withPopulatedLayout { layout, directory in
            // The hostile entry comes last, after a large layer has been staged.
            let entries = try Self.legacyEntries(directory).1 + [.file(name, Data("pwned".utf8))]
            let path = try Fixtures.archive(entries, in: directory)
            Self.expectUnsafe(try Self.rejection(layout, path), name, reason)
        }
    }

    @Test(arguments: [Fixtures.Entry.Kind.symlink("../../etc/passwd"), .symlink("/etc/passwd"), .hardlink("../etc/passwd")])
    func linkLeavingTheArchiveUsedAsLayer(kind: Fixtures.Entry.Kind) throws {
        try Self.withPopulatedLayout { layout, directory in
            let image = try Fixtures.image(in: directory, layers: 1)
            var entries = Fixtures.legacyDockerArchive([(image, ["app:1"])])
            entries.removeAll { $0.name == "manifest.json" }
            entries.append(Fixtures.Entry(name: "x", kind: kind))
            entries.append(.json("manifest.json", [["Config": "\(image.configDigest.encoded).json", "RepoTags": ["app:1"], "Layers": ["x"]]]))
            Self.expectUnsafe(try Self.rejection(layout, try Fixtures.archive(entries, in: directory)), "x", "points outside the archive")
        }
    }

    @Test func fifoEntry() throws {
        try Self.withPopulatedLayout { layout, directory in
            let entries = try Self.legacyEntries(directory).1 + [Fixtures.Entry(name: "pipe", kind: .fifo)]
            Self.expectUnsafe(try Self.rejection(layout, try Fixtures.archive(entries, in: directory)), "pipe", "FIFO")
        }
    }

    @Test(arguments: [100, 3 * 1024 * 1024])
    func blobWhoseContentDoesNotMatchItsName(size: Int) throws {
        try Self.withPopulatedLayout { layout, directory in
            let image = try Fixtures.image(in: directory, layers: 1)
            var archive = Fixtures.OCIArchive()
            archive.add(image, annotations: ["org.opencontainers.image.ref.name": "v1"])
            let impostor = Fixtures.random(size)
            archive.blobs[image.layerDigests[0]] = impostor
            let error = try Self.rejection(layout, try Fixtures.archive(archive.entries(), in: directory))
            let name = image.layerDigests[0].blobPath
            #expect(error == .archiveMismatch("\(name): the content is \(Digest.sha256(of: impostor)), not the digest its name gives"))
        }
    }

    @Test func manifestJSONListsAMissingLayer() throws {
        try Self.withPopulatedLayout { layout, directory in
            var entries = try Self.legacyEntries(directory).1
            let layers = entries.map(\.name).filter { $0.hasSuffix("/layer.tar") }
            let missing = layers.last ?? ""
            entries.removeAll { $0.name == missing }
            let error = try Self.rejection(layout, try Fixtures.archive(entries, in: directory))
            #expect(error == .archive("manifest.json lists \(missing), which is not in the archive"))
        }
    }

    @Test(arguments: [#"{"Config":"x.json"}"#, #"[{"Config":"x.json","Layers":"not a list"}]"#, "[{not json"])
    func malformedManifestJSON(text: String) throws {
        try Self.withPopulatedLayout { layout, directory in
            var entries = try Self.legacyEntries(directory).1
            entries.removeAll { $0.name == "manifest.json" }
            entries.append(.file("manifest.json", Data(text.utf8)))
            Self.expectArchiveError(try Self.rejection(layout, try Fixtures.archive(entries, in: directory)), "manifest.json is malformed")
        }
    }

    @Test func ociIndexReferencesAMissingBlob() throws {
        try Self.withPopulatedLayout { layout, directory in
            let image = try Fixtures.image(in: directory)
            var archive = Fixtures.OCIArchive()
            archive.add(image, annotations: ["org.opencontainers.image.ref.name": "v1"])
            archive.blobs[image.layerDigests[1]] = nil
            let error = try Self.rejection(layout, try Fixtures.archive(archive.entries(), in: directory))
            #expect(error == .archive("manifest \(image.manifestDigest) references blob \(image.layerDigests[1]), which is not in the archive"))
        }
    }

    @Test func ociIndexListsAMissingManifest() throws {
        try Self.withPopulatedLayout { layout, directory in
            let image = try Fixtures.image(in: directory)
            var archive = Fixtures.OCIArchive()
            archive.add(image, annotations: ["org.opencontainers.image.ref.name": "v1"])
            archive.blobs[image.manifestDigest] = nil
            Self.expectArchiveError(
                try Self.rejection(layout, try Fixtures.archive(archive.entries(), in: directory)), "index.json references")
        }
    }

    @Test func malformedIndexJSON() throws {
        try Self.withPopulatedLayout { layout, directory in
            var archive = Fixtures.OCIArchive()
            archive.add(try Fixtures.image(in: directory))
            var entries = archive.entries()
            entries.removeAll { $0.name == "index.json" }
            entries.append(.file("index.json", Data(#"{"schemaVersion":2,"manifests":[{"digest":"nope"}]}"#.utf8)))
            Self.expectArchiveError(try Self.rejection(layout, try Fixtures.archive(entries, in: directory)), "index.json is malformed")
        }
    }

    @Test func invalidManifestInTheArchive() throws {
        try Self.withPopulatedLayout { layout, directory in
            let bogus = Data(#"{"schemaVersion":1,"name":"old"}"#.utf8)
            var archive = Fixtures.OCIArchive()
            archive.addBlob(bogus)
            archive.index.append(Fixtures.descriptor(bogus, Fixtures.ociManifestType))
            let error = try Self.rejection(layout, try Fixtures.archive(archive.entries(), in: directory))
            guard case .manifestInvalid(let reason)? = error else {
                Issue.record("expected manifestInvalid, got \(String(describing: error))")
                return
            }
            #expect(reason.contains("schemaVersion must be 2"))
        }
    }

    @Test func neitherManifestNorIndex() throws {
        try Self.withPopulatedLayout { layout, directory in
            let path = try Fixtures.archive([.file("etc/hostname", Data("box".utf8))], in: directory)
            let error = try Self.rejection(layout, path)
            #expect(error == .archive("neither manifest.json nor index.json found: not a docker save or oci-archive tarball"))
        }
    }

    @Test func twoImagesClaimingTheSameTag() throws {
        try Self.withPopulatedLayout { layout, directory in
            let entries = Fixtures.legacyDockerArchive([
                (try Fixtures.image(in: directory), ["app:latest"]), (try Fixtures.image(in: directory), ["tools:latest"]),
            ])
            let error = try Self.rejection(layout, try Fixtures.archive(entries, in: directory))
            guard case .invalidArgument(let message)? = error else {
                Issue.record("expected invalidArgument, got \(String(describing: error))")
                return
            }
            #expect(message.contains("'latest'") && message.contains("app:latest") && message.contains("tools:latest"))
        }
    }

    @Test func tagOptionWithSeveralImages() throws {
        try Self.withPopulatedLayout { layout, directory in
            let entries = Fixtures.legacyDockerArchive([
                (try Fixtures.image(in: directory), ["app:1"]), (try Fixtures.image(in: directory), ["tools:2"]),
            ])
            let error = try Self.rejection(layout, try Fixtures.archive(entries, in: directory), options: ImportOptions(tag: "x"))
            #expect(
                error
                    == .invalidArgument(
                        "the archive holds 2 images: import it without a tag (each image keeps its own) "
                            + "or copy one image out of it"))
        }
    }

    @Test func selectionMatchingNothing() throws {
        try Self.withPopulatedLayout { layout, directory in
            let path = try Fixtures.archive(try Self.legacyEntries(directory).1, in: directory)
            let error = try Self.rejection(layout, path, options: ImportOptions(selection: .tag("nope")))
            #expect(error == .manifestNotFound("\(path):nope"))
        }
    }

    @Test func unknownLayerMediaTypeIsPreserved() throws {
        try Self.withPopulatedLayout { layout, directory in
            let image = try Fixtures.image(in: directory, layers: 1, layerMediaType: "application/vnd.example.weird.layer+custom")
            var archive = Fixtures.OCIArchive()
            archive.add(image, annotations: ["org.opencontainers.image.ref.name": "weird"])
            let result = try layout.importArchive(from: try Fixtures.archive(archive.entries(), in: directory))
            #expect(result.images.map(\.descriptor.digest) == [image.manifestDigest])
            let manifest = try layout.manifest(try layout.resolve(.tag("weird")))
            #expect(manifest.bytes == image.manifest)
            guard case .image(let parsed) = manifest.kind else { throw LayoutError.manifestInvalid("not an image") }
            #expect(parsed.layers.map(\.mediaType) == ["application/vnd.example.weird.layer+custom"])
        }
    }
}
