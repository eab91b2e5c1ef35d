// SPDX-License-Identifier: Apache-2.0

/// An oci-archive or docker-archive (`docker save`, legacy or docker 25's OCI form), plain or gzip/zstd
/// compressed, read in place as an image source: no layout is staged on disk.
///
/// Opening the source reads the archive once and checks it exactly as `import` does (the same
/// `ArchiveScanner` and `ArchiveCatalog`): entry names, duplicate members, damaged headers, member sizes,
/// `blobs/<alg>/<hex>` and `<hex>.json`/`<hex>.tar` names against their content, CRC and zstd checksums,
/// every manifest's closure present with its sizes, and layers against their config's `rootfs.diff_ids`
/// (compressed legacy layers decompressed for it). So a source never hands out bytes that contradict the
/// archive: an archive import would refuse is refused here, with the same error, before anything is copied.
/// A legacy docker archive gets the OCI manifest `import` generates for it (the same bytes, so the same digest).
///
/// Where the bytes are read from:
/// - a plain tar file: in place, with `pread` at each member's offset (small members are kept in memory);
/// - a compressed archive or standard input, which cannot seek: members over 1 MiB are decompressed once,
///   during the opening pass, into one unlinked temporary file in `scratchDirectory` (`ArchiveSpool`), and
///   read back from there. That costs at most the archive's uncompressed size in extra disk, for the life of
///   the source, and nothing after it (even after kill -9); re-decompressing the stream to reach each member
///   would cost no disk but a whole decompression per layer, several at once in a parallel copy.
///
/// `@unchecked Sendable`: everything is immutable after `init`; file content is read with `pread`.
public final class ArchiveSource: @unchecked Sendable {
    /// The archive, `-` for standard input.
    public let path: String
    /// The format found (docker 25's OCI form is `dockerArchive`).
    public let format: ArchiveFormat
    let catalog: ArchiveCatalog
    /// Every manifest and blob of every image and referrer the archive lists, by digest.
    let files: [Digest: ArchiveFile]

    /// Opens and checks an archive.
    /// - Parameters:
    ///   - path: the archive file, or `-` for standard input.
    ///   - scratchDirectory: where a compressed archive's large members are decompressed to (an unlinked
    ///     file); the system's temporary directory by default.
    ///   - progress: called with the cumulative number of entry bytes read, about every 4 MiB and at the end.
    /// - Throws: what `OCILayout.importArchive` throws for the same archive: `LayoutError.archive`,
    ///   `.archiveMismatch`, `.unsafeArchiveEntry`, `.sizeMismatch`, `.digestMismatch`, `.manifestInvalid`, `.io`.
    public convenience init(
        path: String, scratchDirectory: String? = nil, progress: (@Sendable (Int64) -> Void)? = nil
    ) throws(LayoutError) {
        let spool = ArchiveSpool(directory: scratchDirectory ?? ArchiveSpool.systemTemporaryDirectory)
        let scanner = ArchiveScanner(archivePath: path, storage: .inPlace(spool), progress: progress)
        self.init(catalog: try ArchiveCatalog(scanner.scan()), path: path)
    }

    /// A source over an archive already read (what an import checks before committing it).
    init(catalog: ArchiveCatalog, path: String) {
        self.catalog = catalog
        self.path = path
        format = catalog.format
        var files: [Digest: ArchiveFile] = [:]
        for candidate in catalog.candidates {
            for file in candidate.closure where files[file.digest] == nil { files[file.digest] = file }
        }
        self.files = files
    }

    /// The images the archive lists (referrers left out), each with its tags and its names in the archive.
    public var images: [ImportedImage] {
        catalog.images.map { ImportedImage(descriptor: $0.descriptor, tags: $0.tags, names: $0.names) }
    }

    /// How messages name the source: `oci-archive:FILE` or `docker-archive:FILE`.
    public var description: String { "\(format.rawValue):\(path == "-" ? "standard input" : path)" }
}

extension ImportCandidate {
    /// Media type, digest, size and artifact type of the manifest.
    var descriptor: Descriptor {
        Descriptor(
            mediaType: manifest.mediaType, digest: digest, size: file.size, artifactType: manifest.artifactType)
    }
}
