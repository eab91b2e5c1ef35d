// SPDX-License-Identifier: Apache-2.0
import Foundation
import TestSupport
import Glibc
import Layout

/// Shared test fixtures: temporary layouts and small random images, indexes and artifacts, made in-process.
enum LayoutFixtures {
    /// A new, unique, empty directory.
    static func makeTemporaryDirectory() -> String {
        let path = TestScratch.directory("ocitool-test")
            .path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// A new layout in a new temporary directory.
    static func makeLayout() throws -> OCILayout {
        try OCILayout.create(at: makeTemporaryDirectory() + "/layout")
    }

    /// Removes a temporary layout's directory.
    static func remove(_ layout: OCILayout) {
        try? FileManager.default.removeItem(atPath: (layout.path as NSString).deletingLastPathComponent)
    }

    /// `count` random bytes.
    static func randomBytes(_ count: Int) -> Data {
        var generator = SystemRandomNumberGenerator()
        let words = (0..<(count + 7) / 8).map { _ in generator.next() }
        return words.withUnsafeBytes { Data($0.prefix(count)) }
    }

    /// Writes the blobs and manifest of a random image without listing it in index.json (as an index's child).
    static func writeRandomImage(layout: OCILayout, layers: Int = 2, platform: Platform? = nil) throws -> Descriptor {
        var layerDescriptors: [Descriptor] = []
        for _ in 0..<layers {
            let blob = try layout.writeBlob(randomBytes(Int.random(in: 100...2000)))
            layerDescriptors.append(Descriptor(mediaType: .ociLayer, digest: blob.digest, size: blob.size))
        }
        let platform = platform ?? Platform(architecture: "amd64", os: "linux")
        let config = ImageConfig(
            architecture: platform.architecture, os: platform.os, variant: platform.variant,
            created: "2024-01-0\(Int.random(in: 1...9))T00:00:00Z",
            rootfs: ImageConfig.RootFS(diffIDs: layerDescriptors.map(\.digest)))
        let configBlob = try layout.writeBlob(try JSONEncoder.ocitool.encode(config))
        let manifest = ImageManifest(
            config: Descriptor(mediaType: .ociConfig, digest: configBlob.digest, size: configBlob.size),
            layers: layerDescriptors)
        let stored = try layout.writeBlob(try JSONEncoder.ocitool.encode(manifest))
        return Descriptor(mediaType: .ociManifest, digest: stored.digest, size: stored.size)
    }

    /// Pushes a random image (config and `layers` random layers) and lists it in index.json, tagged or not.
    @discardableResult
    static func pushRandomImage(layout: OCILayout, tag: String?, layers: Int = 2, platform: Platform? = nil)
        throws -> Descriptor
    {
        let written = try writeRandomImage(layout: layout, layers: layers, platform: platform)
        return try layout.putManifest(try layout.readBlob(written.digest), mediaType: .ociManifest, tag: tag)
    }

    /// Pushes an index of `children` (whose descriptors should carry platforms) and lists it in index.json.
    @discardableResult
    static func pushIndex(layout: OCILayout, children: [Descriptor], tag: String?) throws -> Descriptor {
        let index = ImageIndex(manifests: children)
        return try layout.putManifest(try JSONEncoder.ocitool.encode(index), mediaType: .ociIndex, tag: tag)
    }

    /// Pushes an artifact (empty config, one random blob) referring to `subject`, listed untagged.
    @discardableResult
    static func pushArtifact(
        layout: OCILayout, subject: Descriptor, artifactType: MediaType = "application/vnd.example.sbom",
        tag: String? = nil
    ) throws -> Descriptor {
        let empty = try layout.writeBlob(Data("{}".utf8))
        let blob = try layout.writeBlob(randomBytes(300))
        let manifest = ImageManifest(
            artifactType: artifactType,
            config: Descriptor(mediaType: .ociEmpty, digest: empty.digest, size: empty.size),
            layers: [Descriptor(mediaType: "application/octet-stream", digest: blob.digest, size: blob.size)],
            subject: Descriptor(mediaType: subject.mediaType, digest: subject.digest, size: subject.size),
            annotations: ["org.example.kind": "test"])
        return try layout.putManifest(try JSONEncoder.ocitool.encode(manifest), mediaType: .ociManifest, tag: tag)
    }

    /// The digests a manifest references (config and layers, or children).
    static func references(_ layout: OCILayout, of descriptor: Descriptor) throws -> [Digest] {
        try layout.manifest(descriptor).references.map(\.digest)
    }

    /// Sets a file's modification time `seconds` in the past.
    static func age(_ path: String, by seconds: Double) {
        let then = Date().timeIntervalSince1970 - seconds
        var times = [
            timeval(tv_sec: Int(then), tv_usec: 0), timeval(tv_sec: Int(then), tv_usec: 0),
        ]
        _ = utimes(path, &times)
    }

    /// Ages every blob and temporary file of a layout, as if it had been written long ago.
    static func ageEverything(_ layout: OCILayout, by seconds: Double = 7200) {
        for digest in layout.allBlobs() { age(layout.blobPath(digest), by: seconds) }
        for name in FileSystem.list(layout.path + "/.ocitool/tmp") {
            age(layout.path + "/.ocitool/tmp/" + name, by: seconds)
        }
    }

    /// Overwrites a file's bytes in place.
    static func overwrite(_ path: String, with data: Data) throws {
        try data.write(to: URL(fileURLWithPath: path))
    }
}

/// A layout-to-layout copy through the one copy engine.
func copyImage(
    from source: OCILayout, _ descriptor: Descriptor, to destination: OCILayout, tag: String?,
    options: CopyOptions = CopyOptions()
) throws -> CopyResult {
    try ImageCopy(from: LayoutEndpoint(source), to: LayoutEndpoint(destination), options: options).copy(descriptor, tag: tag)
}
