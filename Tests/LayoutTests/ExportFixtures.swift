// SPDX-License-Identifier: Apache-2.0
import Foundation
import TestSupport
import Glibc
import Layout
import Testing

/// A temporary directory removed when the last reference goes (one per test).
final class ExportScratch: @unchecked Sendable {
    let path: String

    init() {
        path = TestScratch.directory("ocitool-export")
            .path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// Set OCITOOL_KEEP to keep the files of failing tests for a look.
    deinit {
        guard ProcessInfo.processInfo.environment["OCITOOL_KEEP"] == nil else { return }
        try? FileManager.default.removeItem(atPath: path)
    }

    func layout(_ name: String) throws -> OCILayout { try OCILayout.create(at: "\(path)/\(name)") }
}

/// Helpers for the export, copy and attach tests: images with real tar layers (so skopeo and docker accept
/// them), two-platform indexes, artifacts, archive reading and running skopeo.
enum ExportFixtures {
    static let amd64 = Platform(architecture: "amd64", os: "linux")
    static let arm64 = Platform(architecture: "arm64", os: "linux")
    static let sbomType: MediaType = "application/spdx+json"
    static let signatureType: MediaType = "application/vnd.dev.cosign.artifact.sig.v1+json"

    /// A layer: a tar holding one random file, gzip-compressed or not, and its diff ID.
    struct Layer {
        var blob: Data
        var diffID: Digest
        var mediaType: MediaType
    }

    static func makeLayer(in scratch: ExportScratch, gzip: Bool = false, size: Int = 3000) throws -> Layer {
        let content = LayoutFixtures.randomBytes(size)
        func tar(_ compression: Compression) throws -> Data {
            let path = "\(scratch.path)/layer-\(UUID().uuidString).tar"
            defer { unlink(path) }
            let writer = try ArchiveWriter(path: path, compression: compression)
            try writer.addDirectory("etc/")
            try writer.addFile("etc/data.bin", contents: content)
            try writer.finish()
            return try Data(contentsOf: URL(fileURLWithPath: path))
        }
        let plain = try tar(.none)
        return Layer(
            blob: gzip ? try tar(.gzip) : plain, diffID: Digest.sha256(of: plain),
            mediaType: gzip ? .ociLayerGzip : .ociLayer)
    }

    /// Writes the config and layers of an image and returns its manifest bytes (not yet stored).
    static func imageManifest(
        in layout: OCILayout, layers: [Layer], platform: Platform = amd64, annotations: [String: String]? = nil
    ) throws -> Data {
        let diffIDs = layers.map { "\"\($0.diffID)\"" }.joined(separator: ",")
        let config = Data(
            ("{\"architecture\":\"\(platform.architecture)\",\"os\":\"\(platform.os)\","
                + "\"config\":{\"Cmd\":[\"/bin/sh\"]},\"created\":\"2024-01-01T00:00:00Z\","
                + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\(diffIDs)]},\"nonce\":\"\(UUID().uuidString)\"}")
                .utf8)
        let configBlob = try layout.writeBlob(config)
        var descriptors: [Descriptor] = []
        for layer in layers {
            let stored = try layout.writeBlob(layer.blob)
            descriptors.append(Descriptor(mediaType: layer.mediaType, digest: stored.digest, size: stored.size))
        }
        let manifest = ImageManifest(
            config: Descriptor(mediaType: .ociConfig, digest: configBlob.digest, size: configBlob.size),
            layers: descriptors, annotations: annotations)
        return try JSONEncoder.ocitool.encode(manifest)
    }

    /// Pushes an image with the given layers (two fresh uncompressed ones by default) and returns its
    /// descriptor.
    @discardableResult
    static func pushImage(
        _ layout: OCILayout, scratch: ExportScratch, tag: String?, layers: [Layer]? = nil, platform: Platform = amd64
    ) throws -> Descriptor {
        let layers = try layers ?? [makeLayer(in: scratch), makeLayer(in: scratch)]
        let bytes = try imageManifest(in: layout, layers: layers, platform: platform)
        return try layout.putManifest(bytes, mediaType: .ociManifest, tag: tag)
    }

    /// Pushes a two-platform index (children stored as blobs, as in a pulled index) and returns it with its
    /// children in index order.
    static func pushIndex(_ layout: OCILayout, scratch: ExportScratch, tag: String?, platforms: [Platform] = [
        amd64, arm64,
    ]) throws -> (index: Descriptor, children: [Descriptor]) {
        var children: [Descriptor] = []
        for platform in platforms {
            let bytes = try imageManifest(in: layout, layers: [makeLayer(in: scratch)], platform: platform)
            let stored = try layout.writeBlob(bytes)
            children.append(
                Descriptor(mediaType: .ociManifest, digest: stored.digest, size: stored.size, platform: platform))
        }
        let index = ImageIndex(manifests: children, annotations: ["org.opencontainers.image.version": "1.2.3"])
        let descriptor = try layout.putManifest(try JSONEncoder.ocitool.encode(index), mediaType: .ociIndex, tag: tag)
        return (descriptor, children)
    }

    /// Pushes an artifact (empty config, one random layer) whose subject is `subject`, built by hand so the
    /// export and copy tests do not depend on `attach`.
    @discardableResult
    static func pushArtifact(_ layout: OCILayout, subject: Descriptor, artifactType: MediaType) throws -> Descriptor {
        try layout.writeBlob(Data("{}".utf8))
        let layer = try layout.writeBlob(LayoutFixtures.randomBytes(200))
        let manifest = ImageManifest(
            artifactType: artifactType,
            config: Descriptor(mediaType: .ociEmpty, digest: Digest.sha256(of: Data("{}".utf8)), size: 2),
            layers: [Descriptor(mediaType: "application/octet-stream", digest: layer.digest, size: layer.size)],
            subject: Descriptor(mediaType: subject.mediaType, digest: subject.digest, size: subject.size),
            annotations: ["test.kind": artifactType.rawValue])
        return try layout.putManifest(try JSONEncoder.ocitool.encode(manifest), mediaType: .ociManifest)
    }

    /// Every entry of an archive: its names in order and the content of its regular files.
    struct ArchiveContents {
        var names: [String] = []
        var files: [String: Data] = [:]

        func json<T: Decodable>(_ name: String, as type: T.Type) throws -> T {
            try JSONDecoder().decode(type, from: try #require(files[name], "\(name) missing"))
        }
    }

    static func readArchive(_ path: String) throws -> ArchiveContents {
        let reader = try ArchiveReader(path: path)
        var contents = ArchiveContents()
        while let entry = try reader.nextEntry() {
            contents.names.append(entry.path)
            if entry.kind == .file {
                contents.files[entry.path] = Data(try reader.readSmallEntry(entry, limit: 64 << 20))
            }
        }
        return contents
    }

    /// The digest and manifest bytes of the manifest a layout lists under `tag`.
    static func manifestBytes(_ layout: OCILayout, tag: String) throws -> (Descriptor, Data) {
        let descriptor = try layout.resolve(.tag(tag))
        return (descriptor, try layout.readBlob(descriptor.digest))
    }

    static func image(_ layout: OCILayout, _ descriptor: Descriptor) throws -> ImageManifest {
        guard case .image(let image) = try layout.manifest(descriptor).kind else {
            throw LayoutError.manifestInvalid("not an image manifest")
        }
        return image
    }

    static func index(_ layout: OCILayout, _ descriptor: Descriptor) throws -> ImageIndex {
        guard case .index(let index) = try layout.manifest(descriptor).kind else {
            throw LayoutError.manifestInvalid("not an index")
        }
        return index
    }

    /// Runs skopeo (installed on every machine that runs these tests) and returns its exit status and output.
    @discardableResult
    static func skopeo(_ arguments: [String]) throws -> (status: Int32, output: String, error: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["skopeo", "--insecure-policy"] + arguments
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (
            process.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self)
        )
    }

    /// Sums progress reports.
    final class ByteCounter: @unchecked Sendable {
        private let lock = NSLock()
        private var sum: Int64 = 0

        func add(_ count: Int64) { lock.withLock { sum += count } }
        var total: Int64 { lock.withLock { sum } }
    }

    /// The inode of a file.
    static func inode(_ path: String) -> UInt64? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return UInt64(info.st_ino)
    }
}
