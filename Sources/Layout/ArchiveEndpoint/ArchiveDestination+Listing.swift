// SPDX-License-Identifier: Apache-2.0
import Foundation

/// What an archive lists: index.json entries (oci-archive), manifest.json entries and `repositories`
/// (docker-archive). Callers of the `private` functions hold the lock.
extension ArchiveDestination {
    /// One element of a legacy docker archive's manifest.json.
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

    /// oci-archive: lists `descriptor` in index.json (with its platform and annotations) under `tag`, or
    /// untagged; it replaces the entry the copy made for the same manifest. The manifest must be written.
    /// - Throws: `LayoutError.invalidArgument` when the tag is already given to another manifest, or for a
    ///   docker archive.
    public func list(_ descriptor: Descriptor, tag: String?) throws(LayoutError) {
        lock.lock()
        defer { lock.unlock() }
        guard format == .ociArchive else { throw .invalidArgument("\(description) has no index.json to list in") }
        try listEntry(descriptor, tag: tag, replacing: true)
    }

    /// docker-archive: adds `name` to the `RepoTags` of the image `digest` (already put) and to `repositories`.
    /// - Throws: `LayoutError.invalidArgument` when the name is already given to another image, the image is
    ///   not in the archive, or for an OCI archive.
    public func name(_ digest: Digest, as name: ImageReference.DockerName) throws(LayoutError) {
        lock.lock()
        defer { lock.unlock() }
        guard format == .dockerArchive else { throw .invalidArgument("\(description) has no manifest.json to name in") }
        try addName(name, to: digest)
    }

    func putOCIManifest(_ manifest: Manifest, digest: Digest, as role: ManifestRole) throws(LayoutError) -> Bool {
        let stored = state.written[digest] == nil
        if stored {
            try addDirectory("blobs/\(digest.algorithm.rawValue)/")
            try addFile(digest.blobPath, manifest.bytes)
            state.written[digest] = Int64(manifest.bytes.count)
        }
        let entry = manifest.indexEntry(digest: digest, size: Int64(manifest.bytes.count))
        switch role {
        case .child: return stored
        case .root: try listEntry(entry, tag: nil, replacing: false)
        case .tagged(let tag): try listEntry(entry, tag: tag, replacing: false)
        }
        if manifest.subject != nil { state.referrers.insert(digest) }
        return stored
    }

    /// Lists an entry: under a tag (which must not name another manifest), taking the place of the manifest's
    /// untagged entry; or untagged, unless the manifest is listed already. `replacing` updates an entry of the
    /// same manifest and tag with `descriptor`'s fields.
    private func listEntry(_ descriptor: Descriptor, tag: String?, replacing: Bool) throws(LayoutError) {
        var entry = descriptor
        entry.annotations?.removeValue(forKey: Annotation.refName)
        if let tag { entry.annotations = (entry.annotations ?? [:]).merging([Annotation.refName: tag]) { $1 } }
        if entry.annotations?.isEmpty == true { entry.annotations = nil }
        let digest = descriptor.digest
        if let tag, let owner = state.entries.first(where: { $0.refName == tag }), owner.digest != digest {
            throw .invalidArgument("tag '\(tag)' is given to two different images: \(owner.digest) and \(digest)")
        }
        if let same = state.entries.firstIndex(where: { $0.digest == digest && $0.refName == tag }) {
            if replacing { state.entries[same] = entry }
        } else if tag != nil, let untagged = state.entries.firstIndex(where: { $0.digest == digest && $0.refName == nil }) {
            state.entries[untagged] = entry
        } else if tag != nil || !state.entries.contains(where: { $0.digest == digest }) {
            state.entries.append(entry)
        }
    }

    func putDockerImage(_ manifest: Manifest, digest: Digest, as role: ManifestRole) throws(LayoutError) -> Bool {
        guard case .image(let image) = manifest.kind, role != .child else {
            throw .unsupported(
                "\(digest) is an index; docker-archive holds images only: pick a platform or export it as oci-archive")
        }
        guard [MediaType.ociConfig, .dockerConfig].contains(image.config.mediaType) else {
            throw .unsupported(
                "\(digest) is not a container image (its config is \(image.config.mediaType)); "
                    + "docker-archive holds images only: export it as oci-archive")
        }
        for blob in [image.config] + image.layers where state.written[blob.digest] == nil {
            throw blob.urls?.isEmpty == false
                ? .unsupported("layer \(blob.digest) is a foreign layer that the source does not hold")
                : .blobNotFound(blob.digest)
        }
        let stored = !state.images.contains { $0.digest == digest }
        if stored {
            let entry = DockerArchiveImage(
                config: "\(image.config.digest.encoded).json", repoTags: [],
                layers: image.layers.map { "\($0.digest.encoded)/layer.tar" })
            state.images.append((digest, entry))
        }
        if case .tagged(let tag) = role, let repository {
            try addName(ImageReference.DockerName(repository: repository, tag: tag), to: digest)
        }
        return stored
    }

    private func addName(_ name: ImageReference.DockerName, to digest: Digest) throws(LayoutError) {
        guard let position = state.images.firstIndex(where: { $0.digest == digest }) else {
            throw .invalidArgument("\(digest) is not an image of \(description)")
        }
        let text = name.description
        if let owner = state.images.first(where: { $0.image.repoTags.contains(text) }), owner.digest != digest {
            throw .invalidArgument("name '\(text)' is given to two different images: \(owner.digest) and \(digest)")
        }
        if !state.images[position].image.repoTags.contains(text) { state.images[position].image.repoTags.append(text) }
        let layers = state.images[position].image.layers
        if let last = layers.last {
            state.repositories[name.repository, default: [:]][name.tag] = String(last.prefix { $0 != "/" })
        }
    }
}
