// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
import Testing

@Suite("Importing docker-archive and oci-archive tarballs")
struct ImportTests {
    typealias Fixtures = ArchiveFixtures

    /// A scratch directory with an empty layout in it.
    static func withLayout(_ body: (OCILayout, String) throws -> Void) throws {
        let directory = try Fixtures.scratch()
        defer { Fixtures.remove(directory) }
        try body(try OCILayout.create(at: directory + "/layout"), directory)
    }

    static func imageManifest(_ layout: OCILayout, _ descriptor: Descriptor) throws -> ImageManifest {
        let manifest = try layout.manifest(descriptor)
        guard case .image(let image) = manifest.kind else { throw LayoutError.manifestInvalid("not an image") }
        return image
    }

    static func blobBytes(_ layout: OCILayout, _ digest: Digest) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: layout.blobPath(digest)))
    }

    @Test func legacyDockerArchiveTwoImagesKeepDigestsAndTags() throws {
        try Self.withLayout { layout, directory in
            let app = try Fixtures.image(in: directory)
            let tools = try Fixtures.image(in: directory, layers: 1)
            let entries = Fixtures.legacyDockerArchive([
                (app, ["app:1.0", "app:latest"]), (tools, ["registry.local:5000/team/tools:2"]),
            ])
            let result = try layout.importArchive(from: try Fixtures.archive(entries, in: directory))
            #expect(result.format == "docker-archive")
            #expect(result.images.map(\.names) == [["app:1.0", "app:latest"], ["registry.local:5000/team/tools:2"]])
            #expect(result.images.map(\.tags) == [["1.0", "latest"], ["2"]])
            #expect(try Fixtures.tags(of: layout) == ["1.0", "2", "latest"])
            #expect(result.blobsAdded == 3 + 2)  // configs and layers: manifests are not counted
            for (image, imported) in zip([app, tools], result.images) {
                let manifest = try Self.imageManifest(layout, imported.descriptor)
                #expect(imported.descriptor.mediaType == .ociManifest)
                #expect(manifest.config.mediaType == .ociConfig)
                #expect(manifest.config.digest == image.configDigest)
                #expect(manifest.layers.map(\.digest) == image.layerDigests)
                #expect(manifest.layers.allSatisfy { $0.mediaType == .ociLayer })
                #expect(try Self.blobBytes(layout, image.configDigest) == image.config)
                for (digest, layer) in zip(image.layerDigests, image.layers) {
                    #expect(try Self.blobBytes(layout, digest) == layer)
                }
            }
            #expect(try layout.resolve(.tag("latest")).digest == result.images[0].descriptor.digest)
            #expect(try layout.resolve(.tag("2")).digest == result.images[1].descriptor.digest)
        }
    }

    @Test(arguments: [Fixtures.Duplicates.symlink, .hardlink])
    func duplicateLayerStoredAsLinkIsResolved(style: Fixtures.Duplicates) throws {
        try Self.withLayout { layout, directory in
            let shared = try Fixtures.layer(in: directory)
            let first = try Fixtures.image(in: directory, layers: 1, sharing: [shared])
            // The shared layer sits at another position: another layer id, so docker links it.
            let second = try Fixtures.image(in: directory, layers: 0, sharing: [try Fixtures.layer(in: directory), shared])
            let entries = Fixtures.legacyDockerArchive([(first, ["a:1"]), (second, ["b:2"])], duplicates: style)
            let links = entries.filter {
                switch $0.kind {
                case .symlink, .hardlink: true
                default: false
                }
            }
            try #require(links.count == 1)
            let result = try layout.importArchive(from: try Fixtures.archive(entries, in: directory))
            let manifest = try Self.imageManifest(layout, result.images[1].descriptor)
            #expect(manifest.layers.map(\.digest) == second.layerDigests)
            #expect(manifest.layers[1].size == Int64(shared.count))
            #expect(try Self.blobBytes(layout, Digest.sha256(of: shared)) == shared)
        }
    }

    @Test func docker25ArchiveKeepsManifestDigests() throws {
        try Self.withLayout { layout, directory in
            let app = try Fixtures.image(in: directory)
            let tools = try Fixtures.image(in: directory, layers: 1)
            let entries = Fixtures.docker25Archive([(app, ["app:1.0", "app:latest"]), (tools, ["tools:2"])])
            let result = try layout.importArchive(from: try Fixtures.archive(entries, in: directory))
            #expect(result.format == "docker-archive")
            #expect(result.images.map(\.descriptor.digest) == [app.manifestDigest, tools.manifestDigest])
            #expect(try Self.blobBytes(layout, app.manifestDigest) == app.manifest)
            #expect(result.images[0].names.contains("app:1.0"))
            #expect(result.images[0].names.contains("docker.io/library/app:latest"))
            #expect(try Fixtures.tags(of: layout) == ["1.0", "2", "latest"])
            #expect(try layout.resolve(.tag("2")).digest == tools.manifestDigest)
        }
    }

    @Test func ociArchiveKeepsDigestsAndRefNames() throws {
        try Self.withLayout { layout, directory in
            let single = try Fixtures.image(in: directory)
            let amd64 = try Fixtures.image(in: directory, layers: 1)
            let arm64 = try Fixtures.image(in: directory, layers: 1)
            var children = [Fixtures.descriptor(amd64.manifest, Fixtures.ociManifestType)]
            children[0]["platform"] = ["architecture": "amd64", "os": "linux"]
            children.append(Fixtures.descriptor(arm64.manifest, Fixtures.ociManifestType))
            children[1]["platform"] = ["architecture": "arm64", "os": "linux"]
            let indexBytes = Fixtures.json(["schemaVersion": 2, "mediaType": Fixtures.ociIndexType, "manifests": children])
            var archive = Fixtures.OCIArchive()
            archive.add(single, annotations: ["org.opencontainers.image.ref.name": "v1"])
            archive.addBlobs(amd64)
            archive.addBlobs(arm64)
            archive.addBlob(indexBytes)
            archive.index.append(
                Fixtures.descriptor(indexBytes, Fixtures.ociIndexType, annotations: ["org.opencontainers.image.ref.name": "multi"]))
            let result = try layout.importArchive(from: try Fixtures.archive(archive.entries(), in: directory))
            #expect(result.format == "oci-archive")
            #expect(result.images.map(\.tags) == [["v1"], ["multi"]])
            #expect(try layout.resolve(.tag("v1")).digest == single.manifestDigest)
            let multi = try layout.resolve(.tag("multi"))
            #expect(multi.digest == Digest.sha256(of: indexBytes))
            #expect(multi.mediaType == .ociIndex)
            #expect(try Self.blobBytes(layout, multi.digest) == indexBytes)
            for child in [amd64, arm64] {
                #expect(try Self.blobBytes(layout, child.manifestDigest) == child.manifest)
                #expect(layout.blobSize(child.layerDigests[0]) == Int64(child.layers[0].count))
            }
            #expect(result.blobsAdded == 3 + 2 + 2)  // configs and layers of the three images
        }
    }

    @Test(arguments: [Compression.gzip, .zstd])
    func compressedArchive(compression: Compression) throws {
        try Self.withLayout { layout, directory in
            let image = try Fixtures.image(in: directory)
            var archive = Fixtures.OCIArchive()
            archive.add(image, annotations: ["org.opencontainers.image.ref.name": "v1"])
            let path = try Fixtures.archive(archive.entries(), in: directory, compression: compression)
            let magic = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)).prefix(4))
            #expect(magic.starts(with: compression == .gzip ? [0x1F, 0x8B] : [0x28, 0xB5, 0x2F, 0xFD]))
            let result = try layout.importArchive(from: path)
            #expect(result.images.map(\.descriptor.digest) == [image.manifestDigest])
            #expect(try layout.resolve(.tag("v1")).digest == image.manifestDigest)
        }
    }

    @Test(arguments: [(Compression.gzip, MediaType.ociLayerGzip), (.zstd, .ociLayerZstd), (.none, .ociLayer)])
    func compressedLayerInLegacyArchiveGetsItsMediaType(compression: Compression, mediaType: MediaType) throws {
        try Self.withLayout { layout, directory in
            let image = try Fixtures.image(in: directory, layers: 1, compression: compression)
            let entries = Fixtures.legacyDockerArchive([(image, ["app:1"])])
            let result = try layout.importArchive(from: try Fixtures.archive(entries, in: directory))
            let manifest = try Self.imageManifest(layout, result.images[0].descriptor)
            #expect(manifest.layers.map(\.mediaType) == [mediaType])
            #expect(manifest.layers.map(\.digest) == image.layerDigests)
        }
    }

    @Test func selectionByDockerNameImportsOnlyThatImage() throws {
        try Self.withLayout { layout, directory in
            let app = try Fixtures.image(in: directory)
            let tools = try Fixtures.image(in: directory)
            let entries = Fixtures.legacyDockerArchive([(app, ["app:1.0", "app:latest"]), (tools, ["tools:2"])])
            let name = try ImageReference.DockerName(parsing: "docker.io/library/app:1.0")
            let result = try layout.importArchive(
                from: try Fixtures.archive(entries, in: directory), options: ImportOptions(selection: .dockerName(name)))
            #expect(result.images.count == 1)
            #expect(result.images[0].tags == ["1.0"])
            #expect(try Fixtures.tags(of: layout) == ["1.0"])
            #expect(layout.blobSize(app.configDigest) != nil)
            #expect(layout.blobSize(tools.configDigest) == nil)
            #expect(tools.layerDigests.allSatisfy { layout.blobSize($0) == nil })
        }
    }

    @Test func selectionByTagBringsReferrersAlong() throws {
        try Self.withLayout { layout, directory in
            let wanted = try Fixtures.image(in: directory)
            let other = try Fixtures.image(in: directory)
            let sbom = Fixtures.random(200)
            let empty = Data("{}".utf8)
            let referrer = Fixtures.json([
                "schemaVersion": 2, "mediaType": Fixtures.ociManifestType, "artifactType": "application/vnd.example.sbom",
                "config": Fixtures.descriptor(empty, "application/vnd.oci.empty.v1+json"),
                "layers": [Fixtures.descriptor(sbom, "application/vnd.example.sbom")],
                "subject": Fixtures.descriptor(wanted.manifest, Fixtures.ociManifestType),
            ])
            var archive = Fixtures.OCIArchive()
            archive.add(wanted, annotations: ["org.opencontainers.image.ref.name": "v1"])
            archive.add(other, annotations: ["org.opencontainers.image.ref.name": "v2"])
            for blob in [sbom, empty, referrer] { archive.addBlob(blob) }
            archive.index.append(
                Fixtures.descriptor(referrer, Fixtures.ociManifestType, annotations: ["dev.ocitool.subject": wanted.manifestDigest.description]))
            let result = try layout.importArchive(
                from: try Fixtures.archive(archive.entries(), in: directory), options: ImportOptions(selection: .tag("v1")))
            #expect(result.images.map(\.descriptor.digest) == [wanted.manifestDigest, Digest.sha256(of: referrer)])
            #expect(try Fixtures.tags(of: layout) == ["v1"])
            let referrers = try layout.referrers(of: wanted.manifestDigest)
            #expect(referrers.map(\.digest) == [Digest.sha256(of: referrer)])
            #expect(referrers.first?.artifactType == "application/vnd.example.sbom")
            #expect(layout.blobSize(other.manifestDigest) == nil)
        }
    }

    @Test func tagOptionReplacesTheArchiveTags() throws {
        try Self.withLayout { layout, directory in
            let image = try Fixtures.image(in: directory)
            let entries = Fixtures.legacyDockerArchive([(image, ["app:1.0", "app:latest"])])
            let result = try layout.importArchive(
                from: try Fixtures.archive(entries, in: directory), options: ImportOptions(tag: "imported"))
            #expect(result.images.map(\.tags) == [["imported"]])
            #expect(try Fixtures.tags(of: layout) == ["imported"])
        }
    }

    @Test func untaggedImageIsListedWithoutTag() throws {
        try Self.withLayout { layout, directory in
            let image = try Fixtures.image(in: directory)
            let entries = Fixtures.legacyDockerArchive([(image, nil)])
            let result = try layout.importArchive(from: try Fixtures.archive(entries, in: directory))
            #expect(result.images.map(\.tags) == [[]])
            let index = try layout.readIndex()
            #expect(index.manifests.map(\.digest) == [result.images[0].descriptor.digest])
            #expect(index.tags.isEmpty)
        }
    }

    @Test func importingTwiceIsIdempotent() throws {
        try Self.withLayout { layout, directory in
            let legacy = try Fixtures.archive(
                Fixtures.legacyDockerArchive([
                    (try Fixtures.image(in: directory), ["app:1", "app:2"]), (try Fixtures.image(in: directory), ["b:3"]),
                ]), in: directory)
            var other = Fixtures.OCIArchive()
            other.add(try Fixtures.image(in: directory), annotations: ["org.opencontainers.image.ref.name": "other"])
            let first = try layout.importArchive(from: legacy)
            let indexPath = URL(fileURLWithPath: layout.path + "/index.json")
            let once = try Data(contentsOf: indexPath)
            let again = try layout.importArchive(from: legacy)
            #expect(try Data(contentsOf: indexPath) == once)
            #expect(again.blobsAdded == 0 && again.bytesAdded == 0)
            #expect(again.images.map(\.descriptor) == first.images.map(\.descriptor))
            // Another import in between: re-importing must still not reorder index.json.
            _ = try layout.importArchive(from: try Fixtures.archive(other.entries(), in: directory))
            let withOther = try Data(contentsOf: indexPath)
            #expect(try layout.importArchive(from: legacy).blobsAdded == 0)
            #expect(try Data(contentsOf: indexPath) == withOther)
        }
    }

    /// A plain tar's large entries are copied from the archive file in place (not through libarchive); a long
    /// name puts a pax header before the entry's own, and an odd size puts padding after it. The result must be
    /// the same bytes, the same blobs and the same index.json as the streamed import of the gzipped archive.
    @Test func largeEntriesReadInPlaceMatchTheStreamedImport() throws {
        try Self.withLayout { layout, directory in
            var big = Fixtures.random(3 * 1024 * 1024 + 7)
            big[0] = 0  // not a compression magic
            let image = try Fixtures.image(in: directory, layers: 0, sharing: [big])
            let longName = String(repeating: "d", count: 120) + "/layer.tar"
            var entries = Fixtures.legacyDockerArchive([(image, ["long:1"])])
            let original = entries.first { entry in
                if case .file(let data) = entry.kind { return data == big } else { return false }
            }
            let shortName = try #require(original).name
            entries = entries.map { entry in
                if entry.name == shortName { return .file(longName, big) }
                return entry
            }
            let manifest: [[String: Any]] = [["Config": "\(image.configDigest.encoded).json", "RepoTags": ["long:1"], "Layers": [longName]]]
            entries = entries.filter { $0.name != "manifest.json" } + [.json("manifest.json", manifest)]
            _ = try layout.importArchive(from: try Fixtures.archive(entries, in: directory))
            #expect(try Self.blobBytes(layout, Digest.sha256(of: big)) == big)
            let streamed = try OCILayout.create(at: "\(directory)/streamed")
            _ = try streamed.importArchive(from: try Fixtures.archive(entries, in: directory, compression: .gzip))
            let inPlace = try Fixtures.state(of: layout)
            let viaStream = try Fixtures.state(of: streamed)
            #expect(inPlace.blobs == viaStream.blobs)
            #expect(inPlace.index == viaStream.index)
        }
    }

    @Test func largeLayersAreStreamedAndProgressReported() throws {
        final class Reports: @unchecked Sendable {
            let lock = NSLock()
            var values: [Int64] = []
            func add(_ value: Int64) { lock.withLock { values.append(value) } }
        }
        try Self.withLayout { layout, directory in
            let big = try Fixtures.layer(in: directory, files: 1, size: 9 * 1024 * 1024)
            let image = try Fixtures.image(in: directory, layers: 1, sharing: [big])
            let entries = Fixtures.legacyDockerArchive([(image, ["big:1"])])
            let expected = entries.reduce(Int64(0)) {
                guard case .file(let data) = $1.kind else { return $0 }
                return $0 + Int64(data.count)
            }
            let reports = Reports()
            let result = try layout.importArchive(
                from: try Fixtures.archive(entries, in: directory), options: ImportOptions(progress: { reports.add($0) }))
            #expect(try Self.blobBytes(layout, Digest.sha256(of: big)) == big)
            #expect(result.bytesAdded > Int64(big.count))
            let values = reports.lock.withLock { reports.values }
            #expect(values.count >= 2)
            #expect(values == values.sorted())
            #expect(values.last == expected)
            // Nothing is left behind in the temporary directory.
            #expect(try Fixtures.state(of: layout).temporary.isEmpty)
        }
    }
}
