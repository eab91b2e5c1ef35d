// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
import Testing

/// The archive endpoints through the one copy engine: layout → archive → layout round trips, compressed
/// sources, corrupt archives refused as import refuses them, and no partial archive or staged layout left.
@Suite("Archive endpoints: ArchiveSource and ArchiveDestination")
struct ArchiveEndpointTests {
    let scratch = ExportScratch()

    /// An image (one gzip layer of `layerSize` random bytes, one plain) with an SBOM and a signature on the SBOM.
    private func image(layerSize: Int = 3000) throws -> (layout: OCILayout, image: Descriptor, sbom: Descriptor) {
        let layout = try scratch.layout("source")
        let layers = [
            try ExportFixtures.makeLayer(in: scratch, gzip: true, size: layerSize),
            try ExportFixtures.makeLayer(in: scratch, size: layerSize),
        ]
        let image = try ExportFixtures.pushImage(layout, scratch: scratch, tag: "v1", layers: layers)
        let sbom = try ExportFixtures.pushArtifact(layout, subject: image, artifactType: ExportFixtures.sbomType)
        try ExportFixtures.pushArtifact(layout, subject: sbom, artifactType: ExportFixtures.signatureType)
        return (layout, image, sbom)
    }

    /// Every regular file and directory under `path`, relative to it.
    private func tree(_ path: String) -> [String] {
        (FileManager.default.enumerator(atPath: path)?.allObjects as? [String] ?? []).sorted()
    }

    @Test(arguments: [Compression.none, .gzip, .zstd])
    func layoutToOCIArchiveToLayout(compression: Compression) throws {
        let (layout, image, sbom) = try image(layerSize: compression == .none ? 3000 : 1_500_000)
        let path = "\(scratch.path)/image.tar"
        let destination = try ArchiveDestination(path: path, format: .ociArchive, compression: compression)
        let out = try ImageCopy(from: LayoutEndpoint(layout), to: destination).copy(.tag("v1"), tag: "v1")
        #expect(out.descriptor.digest == image.digest && out.referrersCopied == 2 && !out.referrersOmitted)
        #expect(FileSystem.list(scratch.path).filter { $0.contains(".tmp-") }.isEmpty)
        // skopeo reads what the destination wrote.
        let inspect = try ExportFixtures.skopeo(["inspect", "oci-archive:\(path):v1"])
        #expect(inspect.status == 0, "\(inspect.error)")

        // Read back in place (a compressed archive spooled into an unlinked file of the scratch directory).
        let spool = "\(scratch.path)/spool"
        try FileManager.default.createDirectory(atPath: spool, withIntermediateDirectories: true)
        let source = try ArchiveSource(path: path, scratchDirectory: spool)
        #expect(source.format == .ociArchive && source.holdsReferrers)
        #expect(tree(spool).isEmpty, "the source stages nothing visible")
        #expect(try source.resolve(nil).digest == image.digest)
        #expect(try source.resolve(.tag("v1")).digest == image.digest)
        #expect(source.images.map(\.tags) == [["v1"]])
        let copy = try scratch.layout("copy")
        let back = try ImageCopy(from: source, to: LayoutEndpoint(copy)).copy(.tag("v1"), tag: "w")
        #expect(try copy.resolve(.tag("w")).digest == image.digest)
        #expect(try copy.referrers(of: image.digest).map(\.digest) == [sbom.digest])
        #expect(back.referrersCopied == 2)
        // The same image gives the same counts whatever the pair of endpoints.
        #expect(back.manifestsCopied == out.manifestsCopied && back.blobsCopied == out.blobsCopied)
        #expect(back.bytesCopied == out.bytesCopied)
        #expect(tree(spool).isEmpty)
        let check = try copy.check()
        #expect(check.problems.isEmpty, "\(check.problems)")
    }

    @Test func layoutToDockerArchiveToLayout() throws {
        let (layout, image, _) = try image()
        let manifest = try ExportFixtures.image(layout, image)
        let path = "\(scratch.path)/docker.tar"
        let destination = try ArchiveDestination(path: path, format: .dockerArchive, repository: "example.com/app")
        let out = try ImageCopy(from: LayoutEndpoint(layout), to: destination).copy(.tag("v1"), tag: "1.0")
        #expect(out.referrersOmitted && out.referrersCopied == 0)
        let copy = try ExportFixtures.skopeo(["copy", "docker-archive:\(path):example.com/app:1.0", "oci:\(scratch.path)/skopeo:t"])
        #expect(copy.status == 0, "\(copy.error)")

        let source = try ArchiveSource(path: path)
        #expect(source.format == .dockerArchive && !source.holdsReferrers)
        #expect(source.images.map(\.names) == [["example.com/app:1.0"]])
        let resolved = try source.resolve(.tag("example.com/app:1.0"))
        #expect(try source.resolve(nil) == resolved)
        #expect(try source.referrers(of: resolved.digest).isEmpty)
        let target = try scratch.layout("copy")
        let back = try ImageCopy(from: source, to: LayoutEndpoint(target)).copy(.tag("example.com/app:1.0"), tag: "t")
        #expect(back.referrersOmitted)
        let copied = try ExportFixtures.image(target, try target.resolve(.tag("t")))
        #expect(copied.config.digest == manifest.config.digest)
        #expect(copied.layers.map(\.digest) == manifest.layers.map(\.digest))
        #expect(copied.layers.map(\.mediaType) == manifest.layers.map(\.mediaType))
        // The manifest is the one import generates for the same archive.
        let imported = try scratch.layout("imported")
        let result = try imported.importArchive(from: path)
        #expect(result.images.map(\.descriptor.digest) == [resolved.digest])
    }

    @Test func severalImagesNeedASelection() throws {
        let (layout, image, _) = try image()
        let other = try ExportFixtures.pushImage(layout, scratch: scratch, tag: "v2")
        let path = "\(scratch.path)/two.tar"
        let destination = try ArchiveDestination(path: path, format: .ociArchive)
        try ImageCopy(from: LayoutEndpoint(layout), to: destination, options: CopyOptions(referrers: false))
            .copy([(image, "v1"), (other, "v2")])
        let source = try ArchiveSource(path: path)
        #expect(try source.resolve(.tag("v2")).digest == other.digest)
        #expect(try source.resolve(.digest(image.digest)).digest == image.digest)
        #expect { try source.resolve(nil) } throws: { "\($0)".contains("v1") && "\($0)".contains("v2") }
        #expect { try source.resolve(.tag("v3")) } throws: { ($0 as? LayoutError)?.isNotFound == true }
    }

    /// A corrupt archive is refused when the source opens it, with the error import gives.
    @Test func corruptArchiveIsRefusedAsImportRefusesIt() throws {
        let directory = try ArchiveFixtures.scratch()
        defer { ArchiveFixtures.remove(directory) }
        let (image, entries) = try ImportIntegrityTests.legacy(directory)
        let layerName = try #require(entries.first { $0.name.hasSuffix("/layer.tar") }).name
        let flipped = ImportIntegrityTests.flippingBit(image.layers[0], at: 700)
        for compression in [Compression.none, .gzip] {
            let path = try ArchiveFixtures.archive(
                ImportIntegrityTests.replacing(layerName, in: entries, with: flipped), in: directory,
                compression: compression)
            let imported = try ImportIntegrityTests.rejection(path, in: directory)
            var opened: (any Error)?
            do { _ = try ArchiveSource(path: path, scratchDirectory: directory) } catch { opened = error }
            #expect(opened as? LayoutError == imported)
            ImportIntegrityTests.expectMismatch(opened as? LayoutError, [layerName, "rootfs.diff_ids[0]"])
        }
    }

    /// A copy that fails (a corrupt blob, a missing one) leaves no archive and no temporary file.
    @Test(arguments: [ArchiveFormat.ociArchive, .dockerArchive])
    func failedCopyLeavesNothing(format: ArchiveFormat) throws {
        let (layout, image, _) = try image()
        let layers = try ExportFixtures.image(layout, image).layers
        let directory = "\(scratch.path)/out"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let corrupt = layout.blobPath(layers[1].digest)
        let original = try Data(contentsOf: URL(fileURLWithPath: corrupt))
        var bytes = original
        bytes[bytes.count / 2] ^= 0xFF
        try FileManager.default.removeItem(atPath: corrupt)
        try bytes.write(to: URL(fileURLWithPath: corrupt))
        do {
            let destination = try ArchiveDestination(path: "\(directory)/image.tar", format: format)
            #expect(throws: LayoutError.digestMismatch(expected: layers[1].digest, actual: Digest.sha256(of: bytes))) {
                try ImageCopy(from: LayoutEndpoint(layout), to: destination).copy(.tag("v1"), tag: "v1")
            }
            #expect(throws: LayoutError.self) { try destination.finish() }
        }
        #expect(FileSystem.list(directory).isEmpty)
        try FileManager.default.removeItem(atPath: corrupt)
        try original.write(to: URL(fileURLWithPath: corrupt))
        try layout.removeBlob(layers[0].digest)
        #expect(throws: LayoutError.blobNotFound(layers[0].digest)) {
            let destination = try ArchiveDestination(path: "\(directory)/image.tar", format: format)
            try ImageCopy(from: LayoutEndpoint(layout), to: destination).copy(.tag("v1"), tag: "v1")
        }
        #expect(FileSystem.list(directory).isEmpty)
    }

    /// While an archive is copied to a layout, no layout is staged anywhere but the destination.
    @Test func archiveCopiesStageNoLayout() throws {
        let (layout, _, _) = try image(layerSize: 1_500_000)
        let path = "\(scratch.path)/image.tar.gz"
        try ImageCopy(from: LayoutEndpoint(layout), to: try ArchiveDestination(path: path, format: .ociArchive, compression: .gzip))
            .copy(.tag("v1"), tag: "v1")
        let temporary = "\(scratch.path)/tmp"
        try FileManager.default.createDirectory(atPath: temporary, withIntermediateDirectories: true)
        let source = try ArchiveSource(path: path, scratchDirectory: temporary)
        let watcher = StagingWatcher(directories: [temporary, scratch.path])
        let target = try ArchiveDestination(path: "\(scratch.path)/again.tar", format: .dockerArchive)
        try ImageCopy(from: WatchedSource(base: source, watcher: watcher), to: target).copy(nil, tag: nil)
        #expect(watcher.layouts.isEmpty, "\(watcher.layouts)")
        #expect(watcher.looks > 0)
        #expect(tree(temporary).isEmpty)
    }
}

/// Looks for layouts (an `oci-layout` file) under some directories each time it is asked.
final class StagingWatcher: @unchecked Sendable {
    let directories: [String]
    private let lock = NSLock()
    private var found: Set<String> = []
    private var count = 0

    init(directories: [String]) { self.directories = directories }

    func look() {
        var layouts: [String] = []
        for directory in directories {
            let names = FileManager.default.enumerator(atPath: directory)?.allObjects as? [String] ?? []
            layouts += names.filter { $0.hasSuffix("oci-layout") && !$0.hasPrefix("source/") }
        }
        lock.withLock {
            found.formUnion(layouts)
            count += 1
        }
    }

    var layouts: Set<String> { lock.withLock { found } }
    var looks: Int { lock.withLock { count } }
}

/// A source that has the watcher look around each time a blob is read, mid-copy.
struct WatchedSource: ImageSource {
    let base: ArchiveSource
    let watcher: StagingWatcher

    var description: String { base.description }
    var holdsReferrers: Bool { base.holdsReferrers }
    func resolve(_ selector: ImageReference.Selector?) throws -> Descriptor { try base.resolve(selector) }
    func manifest(_ descriptor: Descriptor) throws -> Manifest { try base.manifest(descriptor) }
    func referrers(of digest: Digest) throws -> [Referrer] { base.referrers(of: digest) }
    func readBlob(_ descriptor: Descriptor, from offset: Int64, into body: (UnsafeRawBufferPointer) throws -> Void)
        throws
    {
        watcher.look()
        try base.readBlob(descriptor, from: offset, into: body)
    }
}
