// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
import OCICrypto
import TestSupport
@testable import Trust

/// Temporary layouts with small random images, and keys, for the Trust tests.
enum TrustFixtures {
    static let identity = "registry.example/team/app"

    /// A new empty layout in a new scratch directory.
    static func layout() throws -> OCILayout {
        let directory = TestScratch.directory("trust")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return try OCILayout.create(at: directory.appendingPathComponent("layout").path)
    }

    static func randomBytes(_ count: Int) -> Data {
        var generator = SystemRandomNumberGenerator()
        return Data((0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    /// An image with a config and one random layer, tagged when `tag` is given (listed in index.json unless
    /// `list` is false, as an index's child is).
    @discardableResult
    static func image(in layout: OCILayout, tag: String?, architecture: String = "amd64", list: Bool = true) throws
        -> Descriptor
    {
        let config = Data(#"{"architecture":"\#(architecture)","os":"linux","rootfs":{"type":"layers","diff_ids":[]},"created":"\#(UUID())"}"#.utf8)
        let configBlob = try layout.writeBlob(config)
        let layer = try layout.writeBlob(randomBytes(1_000))
        let manifest = ImageManifest(
            config: Descriptor(mediaType: .ociConfig, digest: configBlob.digest, size: configBlob.size),
            layers: [Descriptor(mediaType: .ociLayerGzip, digest: layer.digest, size: layer.size)])
        let bytes = try JSONEncoder.ocitool.encode(manifest)
        guard list else {
            let (digest, size) = try layout.writeBlob(bytes)
            return Descriptor(
                mediaType: .ociManifest, digest: digest, size: size,
                platform: Platform(architecture: architecture, os: "linux"))
        }
        return try layout.putManifest(bytes, mediaType: .ociManifest, tag: tag)
    }

    /// A two-platform index, tagged.
    static func index(in layout: OCILayout, tag: String) throws -> (index: Descriptor, children: [Descriptor]) {
        let children = [
            try image(in: layout, tag: nil, architecture: "amd64", list: false),
            try image(in: layout, tag: nil, architecture: "arm64", list: false),
        ]
        let bytes = try JSONEncoder.ocitool.encode(ImageIndex(manifests: children))
        return (try layout.putManifest(bytes, mediaType: .ociIndex, tag: tag), children)
    }

    /// The layout's index.json bytes (to check that nothing was written).
    static func indexJSON(_ layout: OCILayout) -> Data {
        FileManager.default.contents(atPath: layout.path + "/index.json") ?? Data()
    }

    /// A new P-256 key (keys are quick to make).
    static func key() throws -> PrivateKey { try PrivateKey.generate(.ecdsaP256) }
}
