// SPDX-License-Identifier: Apache-2.0
import Foundation

extension ArchiveCatalog {
    /// The images of a legacy `docker save` tarball: manifest.json lists each image's config file and layer
    /// files; their blobs are those files exactly as stored (digest-preserving), and an OCI image manifest is
    /// generated for each with `JSONEncoder.ocitool`, so importing twice gives the same digest. Nothing else
    /// vouches for these files, so each layer must match its config's diff ID before the manifest is made.
    static func dockerCandidates(_ contents: ArchiveContents) throws(LayoutError) -> [ImportCandidate] {
        let entries = try Self.dockerManifest(contents)
        var candidates: [ImportCandidate] = []
        for entry in entries {
            let config = try Self.listedFile(entry.config, in: contents)
            try Self.verifyDigestName(entry.config, of: config)
            guard let diffIDs = try Self.imageConfig(config, member: entry.config).rootfs?.diffIDs else {
                throw .archive("the image config \(entry.config) has no rootfs.diff_ids")
            }
            var closure = [config]
            var layers: [Descriptor] = []
            var layerFiles: [(member: String, file: ArchiveFile?)] = []
            for name in entry.layers {
                let layer = try Self.listedFile(name, in: contents)
                try Self.verifyDigestName(name, of: layer)
                let mediaType = try layer.layerMediaType(name: name)
                layers.append(Descriptor(mediaType: mediaType, digest: layer.digest, size: layer.size))
                layerFiles.append((name, layer))
                closure.append(layer)
            }
            try Self.verifyDiffIDs(diffIDs, configName: entry.config, layers: layerFiles)
            let image = ImageManifest(
                config: Descriptor(mediaType: .ociConfig, digest: config.digest, size: config.size), layers: layers)
            let bytes: Data
            do { bytes = try JSONEncoder.ocitool.encode(image) } catch {
                throw .archive("cannot encode the manifest for \(entry.config): \(error)")
            }
            let manifest = try Manifest(bytes: bytes, declared: .ociManifest)
            closure.append(ArchiveFile(generated: bytes))
            let names = entry.repoTags ?? []
            var tags: [String] = []
            for name in names {
                let tag = try ImportCandidate.tag(ofDockerName: name, source: "manifest.json")
                if !tags.contains(tag) { tags.append(tag) }
            }
            ImportCandidate.merge(
                ImportCandidate(manifest: manifest, closure: closure, tags: tags, names: names), into: &candidates)
        }
        return candidates
    }

    /// Parses manifest.json.
    /// - Throws: `LayoutError.archive` when it is malformed.
    static func dockerManifest(_ contents: ArchiveContents) throws(LayoutError) -> [DockerArchiveManifest] {
        guard let data = contents.metadata["manifest.json"] else { return [] }
        do { return try JSONDecoder().decode([DockerArchiveManifest].self, from: data) } catch {
            throw .archive("manifest.json is malformed: \(Manifest.describe(error))")
        }
    }

    /// The file a manifest.json entry names.
    /// - Throws: `LayoutError.archive` when the archive does not hold it; `.unsafeArchiveEntry` for names
    ///   leaving the archive.
    static func listedFile(_ name: String, in contents: ArchiveContents) throws(LayoutError) -> ArchiveFile {
        guard let file = try contents.file(at: try ArchivePath.normalize(name)) else {
            throw .archive("manifest.json lists \(name), which is not in the archive")
        }
        return file
    }
}
