// SPDX-License-Identifier: Apache-2.0
public import Foundation
public import Layout

/// The vulnerability database as an OCI artifact, so it travels like an image (in a layout, an
/// archive or a registry) and an air-gap bundle carries images, their referrers and the database
/// together.
///
/// The artifact is an OCI 1.1 manifest with `artifactType` `application/vnd.ocitool.vulndb.v1+sqlite`,
/// the empty config, and one layer: the SQLite file itself, uncompressed
/// (`application/vnd.ocitool.vulndb.layer.v1.sqlite`). Uncompressed because the digest then names
/// the exact bytes SQLite opens (the cached copy is verified once and opened in place, with no second
/// decompressed copy), and because the carriers compress already where it pays: `oci-archive:x.tar.zst`,
/// registries' transport. Annotations carry the build time, schema version and record count, so
/// `inspect` shows what a bundle holds.
public enum DatabaseArtifact {
    public static let artifactType: MediaType = "application/vnd.ocitool.vulndb.v1+sqlite"
    public static let layerMediaType: MediaType = "application/vnd.ocitool.vulndb.layer.v1.sqlite"
    static let schemaAnnotation = "dev.ocitool.vulndb.schema-version"
    static let recordsAnnotation = "dev.ocitool.vulndb.records"

    /// Stores the database at `path` as an artifact at `destination`, under `tag` (or untagged).
    /// - Returns: the artifact manifest's descriptor.
    /// - Throws: the database's errors (it is opened and checked first), the destination's.
    public static func push(databaseAt path: String, to destination: any ImageDestination, tag: String?) throws
        -> Descriptor
    {
        let status = try VulnerabilityDatabase.open(at: path).status()
        let built = status.builtAt ?? Date()
        let artifact = try ArtifactSource(
            [AttachFile(path: path, mediaType: layerMediaType)], artifactType: artifactType,
            annotations: [
                Annotation.created: VulnerabilityDatabase.timestamp(built),
                schemaAnnotation: String(status.schemaVersion), recordsAnnotation: String(status.records),
            ], subject: nil, created: built)
        _ = try ImageCopy(from: artifact, to: destination, options: CopyOptions(referrers: false))
            .copy(artifact.descriptor, tag: tag)
        return artifact.descriptor
    }

    /// A database read from an artifact: the verified local copy and the layer's digest.
    public struct Fetched: Sendable, Hashable {
        public var path: String
        public var digest: Digest
        /// False when the copy was already in the cache.
        public var downloaded: Bool
    }

    /// Finds the database artifact `selector` names in `source` and returns a local copy of its
    /// SQLite file: from `cacheDirectory` (`vulndb/<algorithm>/<hex>.db`) when it is there, else
    /// streamed into it, checked against its digest and size, then renamed into place (and the cache trimmed
    /// to the `cachedDatabasesKept` most recently used).
    /// - Throws: `ScanError.notADatabaseArtifact` for another kind of manifest,
    ///   `LayoutError.digestMismatch`/`.sizeMismatch`, `.io`, the source's errors.
    public static func fetch(
        from source: any ImageSource, selector: ImageReference.Selector?, reference: String, cacheDirectory: String
    ) throws -> Fetched {
        let descriptor = try source.resolve(selector)
        guard case .image(let manifest) = try source.manifest(descriptor).kind,
            manifest.artifactType == artifactType || manifest.config.mediaType == artifactType,
            let layer = manifest.layers.first(where: { $0.mediaType == layerMediaType })
        else {
            let kind = try? source.manifest(descriptor).kind
            var type: String?
            if case .image(let image)? = kind { type = (image.artifactType ?? image.config.mediaType).rawValue }
            throw ScanError.notADatabaseArtifact(reference: reference, artifactType: type)
        }
        let directory = "\(cacheDirectory)/vulndb/\(layer.digest.algorithm)"
        let path = "\(directory)/\(layer.digest.encoded).db"
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value
        if size == layer.size {
            utimes(path, nil)  // a use: eviction keeps the most recently used copies
            return Fetched(path: path, digest: layer.digest, downloaded: false)
        }
        try download(layer, from: source, to: path, directory: directory)
        evict(in: directory, keeping: path)
        return Fetched(path: path, digest: layer.digest, downloaded: true)
    }

    /// How many databases the cache keeps (per digest algorithm): the most recently fetched or used.
    public static let cachedDatabasesKept = 3

    /// Drops all but the `cachedDatabasesKept` most recently used databases in `directory` (never `current`),
    /// and downloads abandoned over an hour ago. A process still reading a dropped file keeps reading its open
    /// copy. Best effort: a file that cannot be removed stays.
    static func evict(in directory: String, keeping current: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        var databases: [(path: String, used: Date)] = []
        for name in names {
            let path = "\(directory)/\(name)"
            guard let used = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
            else { continue }
            if name.hasPrefix(".download-"), used.timeIntervalSinceNow < -3600 {
                try? FileManager.default.removeItem(atPath: path)
            } else if name.hasSuffix(".db"), path != current {
                databases.append((path, used))
            }
        }
        let kept = max(0, cachedDatabasesKept - 1)
        for stale in databases.sorted(by: { $0.used > $1.used }).dropFirst(kept) {
            try? FileManager.default.removeItem(atPath: stale.path)
        }
    }

    private static func download(_ layer: Descriptor, from source: any ImageSource, to path: String, directory: String)
        throws
    {
        do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
            throw LayoutError.io("create", path: directory, errno: EIO)
        }
        let temporary = "\(directory)/.download-\(UUID().uuidString)"
        guard FileManager.default.createFile(atPath: temporary, contents: nil),
            let handle = FileHandle(forWritingAtPath: temporary)
        else { throw LayoutError.io("create", path: temporary, errno: EIO) }
        var finished = false
        defer {
            try? handle.close()
            if !finished { try? FileManager.default.removeItem(atPath: temporary) }
        }
        let hasher = layer.digest.makeHasher()
        var written: Int64 = 0
        try source.readBlob(layer, from: 0) { bytes in
            written += Int64(bytes.count)
            guard written <= layer.size else {
                throw LayoutError.sizeMismatch(layer.digest, expected: layer.size, actual: written)
            }
            hasher.update(bytes)
            try handle.write(contentsOf: Data(bytes))
        }
        guard written == layer.size else { throw LayoutError.sizeMismatch(layer.digest, expected: layer.size, actual: written) }
        let actual = hasher.finalize()
        guard actual == layer.digest else { throw LayoutError.digestMismatch(expected: layer.digest, actual: actual) }
        try handle.synchronize()
        guard rename(temporary, path) == 0 else { throw LayoutError.io("rename into place", path: path, errno: errno) }
        finished = true
    }
}
