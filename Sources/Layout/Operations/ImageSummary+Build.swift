// SPDX-License-Identifier: Apache-2.0
public import Foundation

extension ImageSummary {
    /// Summarises a manifest wherever it lives (a layout, an archive, a registry): kind, platform(s), config
    /// (an image config is read whole, verified and decoded leniently; an artifact's is not read), layers,
    /// total size (each distinct blob once; a child manifest the source does not hold counts with its size
    /// only), artifact type, annotations, subject and referrers.
    /// - Parameters:
    ///   - descriptor: the manifest, e.g. from `resolve(_:)`.
    ///   - tags: the tags to report.
    public init(of descriptor: Descriptor, in source: any ImageSource, tags: [String]) throws {
        try self.init(
            manifest: try source.manifest(descriptor), descriptor: descriptor, tags: tags,
            referrers: try source.referrers(of: descriptor.digest).map(\.descriptor),
            readConfig: { (config) throws in try source.blobData(config) },
            readManifest: { (child) throws -> Manifest? in
                do { return try source.manifest(child) } catch where error.isEndpointNotFound { return nil }
            })
    }

    /// Summarises `manifest` from wherever it lives: the caller says how to read a config blob and a child
    /// manifest, so a layout and a registry share one definition of kind, platform(s), config, layers and total
    /// size (each distinct blob once, child manifests read when `readManifest` returns them).
    /// - Parameters:
    ///   - readConfig: the bytes of an image config (artifact configs are never read).
    ///   - readManifest: a child manifest, or nil when it is not available (it then counts with its size only).
    public init<Failure: Error>(
        manifest: Manifest, descriptor: Descriptor, tags: [String], referrers: [Descriptor],
        readConfig: (Descriptor) throws(Failure) -> Data, readManifest: (Descriptor) throws(Failure) -> Manifest?
    ) throws(Failure) {
        self.init(
            descriptor: Descriptor(mediaType: manifest.mediaType, digest: descriptor.digest, size: Int64(manifest.bytes.count)),
            tags: tags, kind: .image, totalSize: 0, artifactType: manifest.artifactType,
            annotations: manifest.annotations, subject: manifest.subject, referrers: referrers)
        var counted: Set<Digest> = [descriptor.digest]
        totalSize = Int64(manifest.bytes.count) + (try Self.size(of: manifest, counted: &counted, readManifest))
        switch manifest.kind {
        case .image(let image):
            if image.config.mediaType == .ociConfig || image.config.mediaType == .dockerConfig {
                config = try? JSONDecoder().decode(ImageConfig.self, from: try readConfig(image.config))
            }
            platform = config?.platform ?? descriptor.platform
            layers = image.layers
        case .index(let list):
            kind = .index
            platforms = list.manifests.compactMap(\.platform)
        }
    }

    /// The declared sizes of everything `manifest` references and that is not yet in `counted`, recursing into
    /// the child manifests `readManifest` returns.
    private static func size<Failure: Error>(
        of manifest: Manifest, counted: inout Set<Digest>, _ readManifest: (Descriptor) throws(Failure) -> Manifest?
    ) throws(Failure) -> Int64 {
        var total: Int64 = 0
        for reference in manifest.references where counted.insert(reference.digest).inserted {
            total += reference.size
            if reference.mediaType.isManifest, let child = try readManifest(reference) {
                total += try size(of: child, counted: &counted, readManifest)
            }
        }
        return total
    }
}
