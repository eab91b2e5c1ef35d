// SPDX-License-Identifier: Apache-2.0
import Foundation
import TestSupport
import Layout

/// Temporary layouts and small random images for the Sync tests.
enum SyncFixtures {
    static let sbomType: MediaType = "application/spdx+json"
    static let signatureType: MediaType = "application/vnd.dev.cosign.artifact.sig.v1+json"

    static func temporaryDirectory() -> String {
        let path = TestScratch.directory("ocitool").path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// A new empty layout in a new temporary directory.
    static func layout() throws -> OCILayout { try OCILayout.create(at: temporaryDirectory() + "/layout") }

    static func remove(_ layouts: OCILayout...) {
        for layout in layouts {
            try? FileManager.default.removeItem(atPath: (layout.path as NSString).deletingLastPathComponent)
        }
    }

    static func randomBytes(_ count: Int) -> Data {
        var generator = SystemRandomNumberGenerator()
        var data = Data(count: count)
        data.withUnsafeMutableBytes { bytes in
            var index = 0
            while index < bytes.count {
                var value = generator.next()
                let chunk = min(8, bytes.count - index)
                withUnsafeBytes(of: &value) { bytes.baseAddress!.advanced(by: index).copyMemory(from: $0.baseAddress!, byteCount: chunk) }
                index += chunk
            }
        }
        return data
    }

    /// An image with a config and random layers of the given sizes; tagged when `tag` is given.
    @discardableResult
    static func image(
        in layout: OCILayout, tag: String?, layers: [Int] = [70_001, 300_007],
        platform: Platform = Platform(architecture: "amd64", os: "linux"), mediaType: MediaType = .ociManifest,
        list: Bool = true
    ) throws -> Descriptor {
        let config = Data(#"{"architecture":"\#(platform.architecture)","os":"\#(platform.os)","rootfs":{"type":"layers","diff_ids":[]},"created":"\#(UUID())"}"#.utf8)
        let configBlob = try layout.writeBlob(config)
        var descriptors: [Descriptor] = []
        for size in layers {
            let blob = try layout.writeBlob(randomBytes(size))
            descriptors.append(Descriptor(mediaType: mediaType == .dockerManifest ? .dockerLayerGzip : .ociLayerGzip, digest: blob.digest, size: blob.size))
        }
        let manifest = ImageManifest(
            mediaType: mediaType,
            config: Descriptor(mediaType: mediaType == .dockerManifest ? .dockerConfig : .ociConfig, digest: configBlob.digest, size: configBlob.size),
            layers: descriptors)
        let bytes = try JSONEncoder.ocitool.encode(manifest)
        if !list {
            let (digest, size) = try layout.writeBlob(bytes)
            return Descriptor(mediaType: mediaType, digest: digest, size: size, platform: platform)
        }
        var descriptor = try layout.putManifest(bytes, mediaType: mediaType, tag: tag)
        descriptor.platform = platform
        return descriptor
    }

    /// A two-platform index (linux/amd64, linux/arm64), tagged.
    @discardableResult
    static func multiArch(in layout: OCILayout, tag: String) throws -> Descriptor {
        let amd = try image(in: layout, tag: nil, layers: [50_000], list: false)
        let arm = try image(in: layout, tag: nil, layers: [60_000], platform: Platform(architecture: "arm64", os: "linux", variant: "v8"), list: false)
        let index = ImageIndex(manifests: [amd, arm])
        return try layout.putManifest(try JSONEncoder.ocitool.encode(index), mediaType: .ociIndex, tag: tag)
    }

    /// Attaches an SBOM to `subject` and a signature to the SBOM (and one to the image).
    @discardableResult
    static func attachSBOMAndSignatures(in layout: OCILayout, to subject: Descriptor) throws
        -> (sbom: Descriptor, sbomSignature: Descriptor, imageSignature: Descriptor)
    {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let sbomFile = directory + "/sbom.spdx.json"
        try Data(#"{"spdxVersion":"SPDX-2.3","name":"\#(UUID())"}"#.utf8).write(to: URL(fileURLWithPath: sbomFile))
        let signatureFile = directory + "/signature.sig"
        try randomBytes(64).write(to: URL(fileURLWithPath: signatureFile))
        let sbom = try layout.attach([AttachFile(path: sbomFile, mediaType: sbomType)], artifactType: sbomType, to: subject)
        let sbomSignature = try layout.attach(
            [AttachFile(path: signatureFile)], artifactType: signatureType, annotations: ["signed": "sbom"], to: sbom)
        let imageSignature = try layout.attach(
            [AttachFile(path: signatureFile)], artifactType: signatureType, annotations: ["signed": "image"], to: subject)
        return (sbom, sbomSignature, imageSignature)
    }
}
