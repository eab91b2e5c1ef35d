// SPDX-License-Identifier: Apache-2.0
import Foundation

extension ArchiveCatalog {
    /// The images of an archive in OCI layout form (oci-archive, or docker 25 and later): each top-level
    /// index.json entry, its manifests kept byte for byte, with everything it references.
    static func ociCandidates(_ contents: ArchiveContents) throws(LayoutError) -> [ImportCandidate] {
        let index: ImageIndex
        do {
            index = try JSONDecoder().decode(ImageIndex.self, from: contents.metadata["index.json"] ?? Data())
        } catch {
            throw .archive("index.json is malformed: \(Manifest.describe(error))")
        }
        // docker >= 25 also writes manifest.json: its RepoTags name the image whose closure holds the config.
        var repoTags: [(config: Digest, names: [String])] = []
        for entry in try Self.dockerManifest(contents) {
            repoTags.append((try Self.listedFile(entry.config, in: contents).digest, entry.repoTags ?? []))
        }
        var walker = ClosureWalker(contents: contents)
        var candidates: [ImportCandidate] = []
        for entry in index.manifests {
            let (manifest, closure) = try walker.visit(entry, referencedBy: "index.json", depth: 0)
            var tags: [String] = []
            var names: [String] = []
            if let refName = entry.annotations?[Annotation.refName] {
                tags.append(try ImportCandidate.tag(ofRefName: refName))
            }
            if let name = entry.annotations?[Annotation.containerdImageName] { names.append(name) }
            let digests = Set(closure.map(\.digest))
            for item in repoTags where digests.contains(item.config) {
                for name in item.names where !names.contains(name) {
                    names.append(name)
                    let tag = try ImportCandidate.tag(ofDockerName: name, source: "manifest.json")
                    if !tags.contains(tag) { tags.append(tag) }
                }
            }
            ImportCandidate.merge(
                ImportCandidate(manifest: manifest, closure: closure, tags: tags, names: names), into: &candidates)
        }
        return candidates
    }
}

/// Walks a manifest's closure inside an archive: child manifests, configs, layers. Every referenced blob must
/// be in the archive with the declared size, except foreign layers that carry URLs.
struct ClosureWalker {
    /// Deepest nesting of indexes followed.
    static let maxDepth = 8

    let contents: ArchiveContents
    private var visited: [Digest: (manifest: Manifest, closure: [ArchiveFile])] = [:]

    init(contents: ArchiveContents) { self.contents = contents }

    /// Parses the manifest `descriptor` points at and collects its closure (dependencies first, itself last).
    /// - Parameter referencedBy: who lists `descriptor`, for messages.
    mutating func visit(_ descriptor: Descriptor, referencedBy: String, depth: Int) throws(LayoutError)
        -> (manifest: Manifest, closure: [ArchiveFile])
    {
        if let known = visited[descriptor.digest] { return known }
        guard depth <= Self.maxDepth else {
            throw .archive("indexes nested more than \(Self.maxDepth) levels deep at \(descriptor.digest)")
        }
        guard var file = try fetch(descriptor, referencedBy: referencedBy) else {
            throw .archive("\(referencedBy) references manifest \(descriptor.digest), which is not in the archive")
        }
        let manifest: Manifest
        do {
            manifest = try Manifest(
                bytes: try file.bytes(limit: Manifest.maxSize),
                declared: descriptor.mediaType.isManifest ? descriptor.mediaType : nil)
        } catch .manifestInvalid(let reason) {
            throw .manifestInvalid("\(descriptor.digest) in the archive: \(reason)")
        }
        var closure: [ArchiveFile] = []
        var seen = Set<Digest>()
        let owner = "manifest \(descriptor.digest)"
        for reference in manifest.references {
            if case .index = manifest.kind, reference.mediaType.isManifest {
                let child = try visit(reference, referencedBy: owner, depth: depth + 1)
                for item in child.closure where seen.insert(item.digest).inserted { closure.append(item) }
            } else if let blob = try fetch(reference, referencedBy: owner), seen.insert(blob.digest).inserted {
                closure.append(blob)
            }
        }
        if case .image(let image) = manifest.kind { try verifyLayers(of: image, owner: owner) }
        file.isManifest = true
        closure.append(file)
        visited[descriptor.digest] = (manifest, closure)
        return (manifest, closure)
    }

    /// Checks an image's layers against its config's `rootfs.diff_ids`, when the config is an OCI or docker image
    /// config that has them. Layers stored uncompressed are hashed already; a compressed layer is verified by its
    /// digest name, as a registry verifies it.
    private func verifyLayers(of image: ImageManifest, owner: String) throws(LayoutError) {
        guard [MediaType.ociConfig, .dockerConfig].contains(image.config.mediaType),
            let config = try contents.blob(image.config.digest)
        else { return }
        let configName = "\(image.config.digest) (config of \(owner))"
        guard let diffIDs = try ArchiveCatalog.imageConfig(config, member: configName).rootfs?.diffIDs else { return }
        var layers: [(member: String, file: ArchiveFile?)] = []
        for layer in image.layers { layers.append((layer.digest.blobPath, try contents.blob(layer.digest))) }
        try ArchiveCatalog.verifyDiffIDs(diffIDs, configName: configName, layers: layers)
    }

    /// The archive's content for a descriptor, or nil for a foreign layer the archive does not carry.
    private func fetch(_ descriptor: Descriptor, referencedBy: String) throws(LayoutError) -> ArchiveFile? {
        guard let file = try contents.blob(descriptor.digest) else {
            if descriptor.urls?.isEmpty == false { return nil }
            throw .archive("\(referencedBy) references blob \(descriptor.digest), which is not in the archive")
        }
        guard file.size == descriptor.size else {
            throw .sizeMismatch(descriptor.digest, expected: descriptor.size, actual: file.size)
        }
        return file
    }
}
