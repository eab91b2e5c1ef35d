// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
import Testing

@Suite("Export: oci-archive and docker-archive")
struct ExportTests {
    let scratch = ExportScratch()

    /// Two images from two layouts sharing a base layer, an SBOM on the first and a signature on the SBOM.
    private func twoImages() throws -> (a: ExportItem, b: ExportItem, sbom: Descriptor, signature: Descriptor) {
        let first = try scratch.layout("first")
        let second = try scratch.layout("second")
        let base = try ExportFixtures.makeLayer(in: scratch)
        let imageA = try ExportFixtures.pushImage(
            first, scratch: scratch, tag: "a", layers: [base, try ExportFixtures.makeLayer(in: scratch)])
        let imageB = try ExportFixtures.pushImage(
            second, scratch: scratch, tag: "b", layers: [base, try ExportFixtures.makeLayer(in: scratch, gzip: true)])
        let sbom = try ExportFixtures.pushArtifact(first, subject: imageA, artifactType: ExportFixtures.sbomType)
        let signature = try ExportFixtures.pushArtifact(
            first, subject: sbom, artifactType: ExportFixtures.signatureType)
        return (
            ExportItem(layout: first, descriptor: try first.resolve(.tag("a")), tag: "a"),
            ExportItem(layout: second, descriptor: imageB, tag: "b"), sbom, signature
        )
    }

    @Test func ociArchiveHoldsEachBlobOnceWithTagsAndReferrers() throws {
        let (a, b, sbom, signature) = try twoImages()
        let path = "\(scratch.path)/images.tar"
        let progress = ExportFixtures.ByteCounter()
        let announced = ExportFixtures.ByteCounter()
        var options = ExportOptions(progress: { progress.add($0) })
        options.progressTotal = { announced.add($0) }
        let result = try exportArchive([a, b], to: path, options: options)
        #expect(progress.total == result.bytes)
        // The total announced before writing is what the progress reports add up to.
        #expect(announced.total == result.bytes)
        let archive = try ExportFixtures.readArchive(path)

        #expect(Array(archive.names.prefix(2)) == ["blobs/", "blobs/sha256/"])
        #expect(Set(archive.names).count == archive.names.count, "an entry is written twice")
        #expect(archive.files["oci-layout"] == Data(#"{"imageLayoutVersion":"1.0.0"}"#.utf8))
        // Every blob of both closures and both referrers, each once, each matching its name.
        var expected = Set<Digest>()
        for item in [a, b] {
            let image = try ExportFixtures.image(try #require(item.source.localLayout), item.descriptor)
            expected.formUnion([item.descriptor.digest, image.config.digest] + image.layers.map(\.digest))
        }
        for artifact in [sbom, signature] {
            let image = try ExportFixtures.image(try #require(a.source.localLayout), artifact)
            expected.formUnion([artifact.digest, image.config.digest] + image.layers.map(\.digest))
        }
        let blobNames = archive.names.filter { $0.hasPrefix("blobs/sha256/") && $0 != "blobs/sha256/" }
        #expect(Set(blobNames) == Set(expected.map(\.blobPath)))
        for name in blobNames {
            #expect(Digest.sha256(of: try #require(archive.files[name])).blobPath == name)
        }
        #expect(result.images == 2 && result.referrers == 2 && result.blobs == expected.count)
        let metadata = ["index.json", "oci-layout"].compactMap { archive.files[$0]?.count }.reduce(0, +)
        #expect(result.bytes == Int64(blobNames.compactMap { archive.files[$0]?.count }.reduce(metadata, +)))
        #expect(result.format == .ociArchive && result.path == path)

        let index = try archive.json("index.json", as: ImageIndex.self)
        #expect(index.entry(tagged: "a")?.digest == a.descriptor.digest)
        #expect(index.entry(tagged: "b")?.digest == b.descriptor.digest)
        #expect(index.manifests.count == 4)
        let sbomEntry = try #require(index.entries(for: sbom.digest).first)
        #expect(sbomEntry.refName == nil)
        #expect(sbomEntry.artifactType == ExportFixtures.sbomType)
        #expect(sbomEntry.annotations?[Annotation.subject] == a.descriptor.digest.description)
        #expect(sbomEntry.annotations?["test.kind"] == ExportFixtures.sbomType.rawValue)
        let signatureEntry = try #require(index.entries(for: signature.digest).first)
        #expect(signatureEntry.annotations?[Annotation.subject] == sbom.digest.description)

        // skopeo reads it by tag.
        for (tag, digest) in [("a", a.descriptor.digest), ("b", b.descriptor.digest)] {
            let inspect = try ExportFixtures.skopeo(["inspect", "oci-archive:\(path):\(tag)"])
            #expect(inspect.status == 0, "\(inspect.error)")
            let info = try JSONSerialization.jsonObject(with: Data(inspect.output.utf8)) as? [String: Any]
            #expect(info?["Digest"] as? String == digest.description)
        }
    }

    @Test func referrersCanBeLeftOut() throws {
        let (a, b, sbom, _) = try twoImages()
        let path = "\(scratch.path)/images.tar.gz"
        let result = try exportArchive([a, b], to: path, options: ExportOptions(compression: .gzip, referrers: false))
        let archive = try ExportFixtures.readArchive(path)
        let index = try archive.json("index.json", as: ImageIndex.self)
        #expect(index.manifests.map(\.digest) == [a.descriptor.digest, b.descriptor.digest])
        #expect(archive.files[sbom.digest.blobPath] == nil)
        #expect(result.referrers == 0)
        let inspect = try ExportFixtures.skopeo(["inspect", "oci-archive:\(path):b"])
        #expect(inspect.status == 0, "\(inspect.error)")
    }

    /// An export killed mid-write leaves `DEST.tmp-<pid>-<random>`: the next export to DEST removes it once its
    /// writer is gone and it is over an hour old (fsck's and gc's rule); younger ones may be in flight elsewhere.
    @Test func anotherExportRemovesWhatAKilledOneLeft() throws {
        let (a, _, _, _) = try twoImages()
        let path = "\(scratch.path)/images.tar"
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/bin/true")
        try child.run()
        child.waitUntilExit()
        let gone = child.processIdentifier  // a process that has exited
        let old = "\(path).tmp-\(gone)-1", young = "\(path).tmp-\(gone)-2"
        let other = "\(scratch.path)/x.tar.tmp-\(gone)-3", users = "\(path).tmp-notes"
        for leftover in [old, young, other, users] { try Data("partial".utf8).write(to: URL(fileURLWithPath: leftover)) }
        for leftover in [old, other, users] {
            try FileManager.default.setAttributes([.modificationDate: Date() - 7200], ofItemAtPath: leftover)
        }
        _ = try exportArchive([a], to: path, options: ExportOptions())
        #expect(!FileManager.default.fileExists(atPath: old))
        #expect(FileManager.default.fileExists(atPath: young))
        #expect(FileManager.default.fileExists(atPath: other), "another destination's files are not ours to remove")
        #expect(FileManager.default.fileExists(atPath: users), "a name export does not make is the user's")
        #expect(try ExportFixtures.readArchive(path).files["oci-layout"] != nil)
    }

    @Test func oneTagForTwoImagesIsRejectedBeforeWriting() throws {
        let (a, b, _, _) = try twoImages()
        let path = "\(scratch.path)/clash.tar"
        var clash = b
        clash.tag = "a"
        #expect(throws: LayoutError.self) { try exportArchive([a, clash], to: path, options: ExportOptions()) }
        #expect(FileSystem.list(scratch.path).filter { $0.hasPrefix("clash") }.isEmpty)
        // The same image twice under one tag is fine and listed once.
        let result = try exportArchive([a, a], to: path, options: ExportOptions(referrers: false))
        #expect(result.images == 1)
        #expect(try ExportFixtures.readArchive(path).json("index.json", as: ImageIndex.self).manifests.count == 1)
    }

    @Test func ociArchiveWithPlatformExportsTheChildOnly() throws {
        let layout = try scratch.layout("multi")
        let (index, children) = try ExportFixtures.pushIndex(layout, scratch: scratch, tag: "multi")
        let path = "\(scratch.path)/arm.tar"
        let options = ExportOptions(platform: ExportFixtures.arm64)
        try exportArchive([ExportItem(layout: layout, descriptor: index, tag: "arm")], to: path, options: options)
        let archive = try ExportFixtures.readArchive(path)
        let written = try archive.json("index.json", as: ImageIndex.self)
        #expect(written.manifests.map(\.digest) == [children[1].digest])
        #expect(written.entry(tagged: "arm")?.platform == ExportFixtures.arm64)
        #expect(archive.files[index.digest.blobPath] == nil)
        #expect(archive.files[children[0].digest.blobPath] == nil)
    }

    @Test func dockerArchiveLoadsWithSkopeo() throws {
        let layout = try scratch.layout("docker")
        let layers = [try ExportFixtures.makeLayer(in: scratch, gzip: true), try ExportFixtures.makeLayer(in: scratch)]
        let image = try ExportFixtures.pushImage(layout, scratch: scratch, tag: "v1", layers: layers)
        let manifest = try ExportFixtures.image(layout, image)
        let name = try ImageReference.DockerName(parsing: "example.com/team/app:1.0")
        let item = ExportItem(layout: layout, descriptor: image, dockerName: name)
        let path = "\(scratch.path)/docker.tar"
        let result = try exportArchive([item], to: path, options: ExportOptions(format: .dockerArchive))
        #expect(result.images == 1 && result.blobs == 3 && result.format == .dockerArchive)
        // Compressed the same way: the same entries inside.
        try exportArchive(
            [item], to: path + ".gz", options: ExportOptions(format: .dockerArchive, compression: .gzip))
        #expect(try ExportFixtures.readArchive(path + ".gz").files == (try ExportFixtures.readArchive(path).files))

        let archive = try ExportFixtures.readArchive(path)
        struct Entry: Decodable {
            var Config: String
            var RepoTags: [String]
            var Layers: [String]
        }
        let entries = try archive.json("manifest.json", as: [Entry].self)
        #expect(entries.count == 1)
        #expect(entries.first?.RepoTags == ["example.com/team/app:1.0"])
        #expect(entries.first?.Config == "\(manifest.config.digest.encoded).json")
        #expect(entries.first?.Layers == manifest.layers.map { "\($0.digest.encoded)/layer.tar" })
        let configBytes = try layout.readBlob(manifest.config.digest)
        #expect(archive.files["\(manifest.config.digest.encoded).json"] == configBytes)
        for layer in manifest.layers {
            #expect(archive.files["\(layer.digest.encoded)/layer.tar"].map { Digest.sha256(of: $0) } == layer.digest)
        }
        let repositories = try archive.json("repositories", as: [String: [String: String]].self)
        #expect(repositories == ["example.com/team/app": ["1.0": manifest.layers[1].digest.encoded]])

        // skopeo loads it, by name and as the only image. Kept uncompressed, the layers it stores are the diff
        // IDs (so the uncompressed layer keeps its digest); it re-encodes the config when converting to OCI.
        let sources = [("docker-archive:\(path)", "t"), ("docker-archive:\(path):example.com/team/app:1.0", "u")]
        for (source, tag) in sources {
            let copy = try ExportFixtures.skopeo([
                "copy", "--dest-oci-accept-uncompressed-layers", source, "oci:\(scratch.path)/loaded:\(tag)",
            ])
            #expect(copy.status == 0, "\(copy.error)")
            let loaded = try OCILayout(at: "\(scratch.path)/loaded")
            let copied = try ExportFixtures.image(loaded, try loaded.resolve(.tag(tag)))
            #expect(copied.layers.map(\.digest) == layers.map(\.diffID))
            #expect(copied.layers[1].digest == manifest.layers[1].digest)
            let config = try JSONDecoder().decode(ImageConfig.self, from: try loaded.readBlob(copied.config.digest))
            #expect(config.rootfs?.diffIDs == layers.map(\.diffID))
        }
    }

    @Test func dockerArchiveOfAnIndexPicksThePlatform() throws {
        let layout = try scratch.layout("multi")
        let (index, children) = try ExportFixtures.pushIndex(layout, scratch: scratch, tag: "multi")
        let item = ExportItem(layout: layout, descriptor: index, dockerName: .init(repository: "multi", tag: "arm"))
        let path = "\(scratch.path)/arm.tar"
        try exportArchive(
            [item], to: path, options: ExportOptions(format: .dockerArchive, platform: ExportFixtures.arm64))
        let armConfig = try ExportFixtures.image(layout, children[1]).config
        let archive = try ExportFixtures.readArchive(path)
        #expect(archive.files["\(armConfig.digest.encoded).json"] != nil)
        #expect(archive.files["\(try ExportFixtures.image(layout, children[0]).config.digest.encoded).json"] == nil)
        let copy = try ExportFixtures.skopeo(["copy", "docker-archive:\(path)", "oci:\(scratch.path)/loaded:t"])
        #expect(copy.status == 0, "\(copy.error)")
        let loaded = try OCILayout(at: "\(scratch.path)/loaded")
        let copied = try ExportFixtures.image(loaded, try loaded.resolve(.tag("t")))
        #expect(try JSONDecoder().decode(ImageConfig.self, from: loaded.readBlob(copied.config.digest)).platform
            == ExportFixtures.arm64)

        // The host platform by default; a platform the index lacks is an error naming what it holds.
        try exportArchive([item], to: path, options: ExportOptions(format: .dockerArchive))
        let hostChild = try #require(children.first { $0.platform?.matches(.host) == true })
        let hostConfig = try ExportFixtures.image(layout, hostChild).config.digest
        #expect(try ExportFixtures.readArchive(path).files["\(hostConfig.encoded).json"] != nil)
        let riscv = Platform(architecture: "riscv64", os: "linux")
        #expect {
            try exportArchive([item], to: path, options: ExportOptions(format: .dockerArchive, platform: riscv))
        } throws: { error in
            "\(error)".contains("linux/amd64, linux/arm64")
        }
    }

    @Test func dockerArchiveRefusesArtifacts() throws {
        let (a, _, sbom, _) = try twoImages()
        let item = ExportItem(source: a.source, descriptor: sbom)
        let path = "\(scratch.path)/artifact.tar"
        #expect(throws: LayoutError.self) {
            try exportArchive([item], to: path, options: ExportOptions(format: .dockerArchive))
        }
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test(arguments: [ArchiveFormat.ociArchive, .dockerArchive])
    func failedExportLeavesNothingBehind(format: ArchiveFormat) throws {
        let layout = try scratch.layout("broken")
        let image = try ExportFixtures.pushImage(layout, scratch: scratch, tag: "x")
        let layers = try ExportFixtures.image(layout, image).layers
        let item = ExportItem(layout: layout, descriptor: image, tag: "x")
        let directory = "\(scratch.path)/out"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = "\(directory)/image.tar"

        // A blob whose content no longer matches its digest fails while the archive is being written.
        let corrupt = layout.blobPath(layers[1].digest)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: corrupt))
        bytes[bytes.count / 2] ^= 0xFF
        try FileManager.default.removeItem(atPath: corrupt)
        try bytes.write(to: URL(fileURLWithPath: corrupt))
        #expect(throws: LayoutError.self) {
            try exportArchive([item], to: path, options: ExportOptions(format: format))
        }
        #expect(FileSystem.list(directory).isEmpty)

        // A missing blob fails before anything is written; an existing archive at DEST is left untouched.
        try Data("previous".utf8).write(to: URL(fileURLWithPath: path))
        try layout.removeBlob(layers[0].digest)
        #expect(throws: LayoutError.blobNotFound(layers[0].digest)) {
            try exportArchive([item], to: path, options: ExportOptions(format: format))
        }
        #expect(FileSystem.list(directory) == ["image.tar"])
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data("previous".utf8))
    }
}
