// SPDX-License-Identifier: Apache-2.0
import Foundation

/// docker-archive: the legacy `docker save` layout that `docker load` and `skopeo copy docker-archive:` read.
///
/// Entries: for each layer `<hex>/` and `<hex>/layer.tar` (the blob's exact bytes, compressed or not: both
/// readers decompress), each config as `<hex>.json` (exact bytes), then `manifest.json`
/// (`[{"Config","RepoTags","Layers"}]`) and, when any image is named, `repositories`
/// (`{"name":{"tag":"<last layer id>"}}`). Only image manifests fit: an index is resolved to the child for
/// `options.platform` (the host platform by default). Referrers cannot be stored and are left out.
extension ArchiveExporter {
    /// One element of manifest.json.
    struct DockerArchiveImage: Codable, Hashable {
        var config: String
        var repoTags: [String]
        var layers: [String]

        enum CodingKeys: String, CodingKey {
            case config = "Config"
            case repoTags = "RepoTags"
            case layers = "Layers"
        }
    }

    func planDockerArchive(_ items: [ExportItem]) throws(LayoutError) -> Plan {
        var closure = ContentClosure()
        var plan = Plan()
        var images: [DockerArchiveImage] = []
        var imageIndex: [Digest: Int] = [:]
        var names: [(name: String, digest: Digest)] = []
        var repositories: [String: [String: String]] = [:]
        for item in items {
            let (descriptor, image) = try resolveImage(item)
            guard image.config.mediaType == .ociConfig || image.config.mediaType == .dockerConfig else {
                throw .unsupported(
                    "\(descriptor.digest) is not a container image (its config is \(image.config.mediaType)); "
                        + "docker-archive holds images only: export it as oci-archive")
            }
            for blob in [image.config] + image.layers {
                guard closure.contains(blob.digest) || item.layout.blobSize(blob.digest) != nil else {
                    throw blob.urls?.isEmpty == false
                        ? .unsupported("layer \(blob.digest) is a foreign layer that \(item.layout) does not hold")
                        : .blobNotFound(blob.digest)
                }
                guard let added = try closure.addBlob(blob, from: item.layout) else { continue }
                if blob.digest == image.config.digest {
                    plan.entries.append(.blob("\(blob.digest.encoded).json", added))
                } else {
                    plan.entries.append(.directory("\(blob.digest.encoded)/"))
                    plan.entries.append(.blob("\(blob.digest.encoded)/layer.tar", added))
                }
            }
            let tags = item.dockerName.map { [$0.description] } ?? []
            if let name = item.dockerName {
                names.append((name.description, descriptor.digest))
                if let last = image.layers.last {
                    repositories[name.repository, default: [:]][name.tag] = last.digest.encoded
                }
            }
            if let existing = imageIndex[descriptor.digest] {
                for tag in tags where !images[existing].repoTags.contains(tag) { images[existing].repoTags.append(tag) }
            } else {
                imageIndex[descriptor.digest] = images.count
                images.append(
                    DockerArchiveImage(
                        config: "\(image.config.digest.encoded).json", repoTags: tags,
                        layers: image.layers.map { "\($0.digest.encoded)/layer.tar" }))
            }
        }
        try ArchiveExporter.checkUnique(names, what: "name")
        plan.images = images.count
        plan.entries.append(.file("manifest.json", try ArchiveExporter.encode(images)))
        if !repositories.isEmpty {
            plan.entries.append(.file("repositories", try ArchiveExporter.encode(repositories)))
        }
        return plan
    }

    /// The image manifest an item stands for: itself, or the child of an index for the wanted platform.
    private func resolveImage(_ item: ExportItem) throws(LayoutError) -> (Descriptor, ImageManifest) {
        let platform = options.platform ?? .host
        var descriptor = item.descriptor
        while true {
            let manifest = try item.layout.manifest(descriptor)
            switch manifest.kind {
            case .image(let image):
                return (descriptor, image)
            case .index(let index):
                descriptor = try PlatformSelection.child(of: index, digest: descriptor.digest, matching: platform)
            }
        }
    }
}
