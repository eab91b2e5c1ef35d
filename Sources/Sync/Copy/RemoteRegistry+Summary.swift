// SPDX-License-Identifier: Apache-2.0
public import Layout
import Foundation

extension RemoteRegistry {
    /// Summarises a manifest of the repository for `inspect docker://…`, as Layout's `summary(of:)` does for
    /// a layout: kind, platform(s), config (an image config is fetched, verified and decoded leniently),
    /// layers, total size (each distinct blob once, child manifests fetched), artifact type, annotations,
    /// subject and referrers.
    /// - Parameters:
    ///   - descriptor: the manifest, e.g. from `resolve(_:)`.
    ///   - tags: the tags to report (a registry cannot say which tags point at a digest cheaply).
    public func summary(of descriptor: Descriptor, tags: [String] = []) throws(SyncError) -> ImageSummary {
        let manifest = try self.manifest(descriptor)
        var summary = ImageSummary(
            descriptor: Descriptor(mediaType: manifest.mediaType, digest: descriptor.digest, size: Int64(manifest.bytes.count)),
            tags: tags, kind: .image, totalSize: 0, artifactType: manifest.artifactType,
            annotations: manifest.annotations, subject: manifest.subject,
            referrers: try referrers(of: descriptor.digest).map(\.descriptor))
        var counted: Set<Digest> = [descriptor.digest]
        summary.totalSize = Int64(manifest.bytes.count) + (try size(of: manifest, counted: &counted))
        switch manifest.kind {
        case .image(let image):
            if image.config.mediaType == .ociConfig || image.config.mediaType == .dockerConfig {
                let bytes = try client.fetchBlobData(repository, image.config.digest)
                summary.config = try? JSONDecoder().decode(ImageConfig.self, from: bytes)
            }
            summary.platform = summary.config?.platform ?? descriptor.platform
            summary.layers = image.layers
        case .index(let index):
            summary.kind = .index
            summary.platforms = index.manifests.compactMap(\.platform)
        }
        return summary
    }

    private func size(of manifest: Manifest, counted: inout Set<Digest>) throws(SyncError) -> Int64 {
        var total: Int64 = 0
        for reference in manifest.references where counted.insert(reference.digest).inserted {
            total += reference.size
            if reference.mediaType.isManifest {
                total += try size(of: try self.manifest(reference), counted: &counted)
            }
        }
        return total
    }
}
