// SPDX-License-Identifier: Apache-2.0
import Foundation
import Glibc

/// A small, real image (one layer holding a greeting) with an SPDX SBOM attached, generated on the spot: the
/// embedded default that `ocitool serve --demo` serves, so a first run needs nothing from outside.
public enum DemoContent {
    /// The repository name the demo image is stored under.
    public static let repository = "demo/hello"
    /// Its tag.
    public static let tag = "latest"

    /// Writes the demo image into `store` (creating `demo/hello`) unless it is there already.
    /// - Returns: the image's descriptor.
    @discardableResult
    public static func install(in store: Store) throws(LayoutError) -> Descriptor {
        let layout = try store.layout(for: repository, create: true)
        if let existing = try layout.readIndex().entry(tagged: tag) { return existing }
        return try layout.withStagingLayout { (scratch) throws(LayoutError) -> Descriptor in
            let layerPath = scratch.path + "/layer.tar"
            let writer = try ArchiveWriter(path: layerPath)
            try writer.addDirectory("etc/")
            try writer.addFile("etc/hello.txt", contents: Data("Hello from an ocitool demo store.\n".utf8))
            try writer.finish()
            let layer = try FileSystem.readFile(layerPath, limit: 1 << 20)
            let layerBlob = try layout.writeBlob(layer)
            let config = ImageConfig(
                architecture: Platform.host.architecture, os: "linux", created: "2026-01-01T00:00:00Z",
                config: ImageConfig.ExecutionConfig(cmd: ["cat", "/etc/hello.txt"]),
                rootfs: ImageConfig.RootFS(diffIDs: [layerBlob.digest]))
            let configBlob = try layout.writeBlob(encode(config))
            let manifest = ImageManifest(
                config: Descriptor(mediaType: .ociConfig, digest: configBlob.digest, size: configBlob.size),
                layers: [Descriptor(mediaType: .ociLayer, digest: layerBlob.digest, size: layerBlob.size)],
                annotations: [Annotation.created: "2026-01-01T00:00:00Z"])
            let image = try layout.putManifest(encode(manifest), mediaType: .ociManifest, tag: tag)
            let sbomPath = scratch.path + "/hello.spdx.json"
            let sbom = #"{"spdxVersion":"SPDX-2.3","name":"demo/hello","packages":[]}"#
            do { try Data(sbom.utf8).write(to: URL(fileURLWithPath: sbomPath)) } catch {
                throw .io("write", path: sbomPath, errno: EIO)
            }
            try layout.attach(
                [AttachFile(path: sbomPath, mediaType: "application/spdx+json")], artifactType: "application/spdx+json",
                to: image, created: Date(timeIntervalSince1970: 1_767_225_600))
            return image
        }
    }

    private static func encode(_ value: some Encodable) throws(LayoutError) -> Data {
        do { return try JSONEncoder.ocitool.encode(value) } catch {
            throw .invalidArgument("cannot encode demo content: \(error)")
        }
    }
}
