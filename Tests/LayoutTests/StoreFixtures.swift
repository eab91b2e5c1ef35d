// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout

/// Test helpers for the store tests: temporary layouts and small random images.
enum StoreFixtures {
    static func temporaryDirectory() -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ocitool-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func randomBytes(_ count: Int) -> Data {
        Data((0..<count).map { _ in UInt8.random(in: 0...255) })
    }

    /// Pushes a config and one random layer, then the manifest; returns the manifest's descriptor.
    @discardableResult
    static func pushImage(_ layout: OCILayout, tag: String?, subject: Descriptor? = nil,
        artifactType: MediaType? = nil) throws -> Descriptor
    {
        let config = Data(#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#.utf8)
        let layer = randomBytes(1000)
        let configBlob = try layout.writeBlob(config)
        let layerBlob = try layout.writeBlob(layer)
        let manifest = ImageManifest(
            artifactType: artifactType,
            config: Descriptor(mediaType: .ociConfig, digest: configBlob.digest, size: configBlob.size),
            layers: [Descriptor(mediaType: .ociLayer, digest: layerBlob.digest, size: layerBlob.size)],
            subject: subject.map { Descriptor(mediaType: $0.mediaType, digest: $0.digest, size: $0.size) })
        return try layout.putManifest(try JSONEncoder.ocitool.encode(manifest), tag: tag)
    }

    static func indexBytes(_ layout: OCILayout) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: layout.path + "/index.json"))
    }
}
