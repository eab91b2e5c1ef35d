// SPDX-License-Identifier: Apache-2.0
import Foundation

extension OCILayout {
    /// Summarises a manifest of the layout: tags, kind, platform(s), config, layers, total size, artifact
    /// type, annotations, subject and referrers.
    ///
    /// An image's config is read (capped at `Manifest.maxSize`, digest verified) and decoded leniently when its
    /// media type is an image config; an artifact's config is not read. For an index, each child present in the
    /// layout is read to add its blobs to the total (each distinct blob once); a child that is absent counts
    /// with its descriptor's size only.
    /// - Parameter descriptor: the manifest, e.g. from `resolve(_:)`.
    /// - Throws: `.manifestNotFound`, `.manifestInvalid`, `.digestMismatch`, or `.blobNotFound` for a
    ///   missing image config.
    public func summary(of descriptor: Descriptor) throws(LayoutError) -> ImageSummary {
        let manifest = try self.manifest(descriptor)
        let index = try readIndex()
        let tags = index.entries(for: descriptor.digest).compactMap(\.refName).sorted()
        var summary = ImageSummary(
            descriptor: Descriptor(
                mediaType: manifest.mediaType, digest: descriptor.digest, size: Int64(manifest.bytes.count)),
            tags: tags, kind: .image, totalSize: 0, artifactType: manifest.artifactType,
            annotations: manifest.annotations, subject: manifest.subject,
            referrers: try referrers(of: descriptor.digest))
        var counted: Set<Digest> = [descriptor.digest]
        summary.totalSize = Int64(manifest.bytes.count) + (try size(of: manifest, counted: &counted))
        switch manifest.kind {
        case .image(let image):
            summary.config = try imageConfig(image.config)
            summary.platform = summary.config?.platform ?? descriptor.platform
            summary.layers = image.layers
        case .index(let list):
            summary.kind = .index
            summary.platforms = list.manifests.compactMap(\.platform)
        }
        return summary
    }

    /// The config of an image, decoded leniently; nil for an artifact's config or one that does not decode.
    private func imageConfig(_ descriptor: Descriptor) throws(LayoutError) -> ImageConfig? {
        guard descriptor.mediaType == .ociConfig || descriptor.mediaType == .dockerConfig else { return nil }
        let bytes = try readBlob(descriptor.digest)
        return try? JSONDecoder().decode(ImageConfig.self, from: bytes)
    }

    /// The declared sizes of everything `manifest` references and that is not yet in `counted`, recursing into
    /// child manifests present in the layout.
    private func size(of manifest: Manifest, counted: inout Set<Digest>) throws(LayoutError) -> Int64 {
        var total: Int64 = 0
        for reference in manifest.references where counted.insert(reference.digest).inserted {
            total += reference.size
            if reference.mediaType.isManifest, blobSize(reference.digest) != nil {
                total += try size(of: try self.manifest(reference), counted: &counted)
            }
        }
        return total
    }
}
