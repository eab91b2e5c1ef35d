// SPDX-License-Identifier: Apache-2.0

extension ArchiveImporter {
    /// Commits a validated plan: blobs first (dependencies before manifests), then one index.json update that
    /// lists every manifest with its tags. Entries already as wanted are left alone, so importing the same
    /// archive twice leaves index.json byte-identical.
    func commit(_ plan: ImportPlan) throws(LayoutError) -> ImportResult {
        var blobsAdded = 0
        var bytesAdded: Int64 = 0
        for file in plan.blobs where try file.commit(to: layout) && !file.isManifest {
            blobsAdded += 1
            bytesAdded += file.size
        }
        let entries = plan.images.map { $0.manifest.indexEntry(digest: $0.digest, size: $0.file.size) }
        var moved: [TagMove] = []
        try layout.updateIndex { (index) throws(LayoutError) in
            for (image, descriptor) in zip(plan.images, entries) {
                guard !image.tags.isEmpty else {
                    index.addUntagged(descriptor)
                    continue
                }
                for tag in image.tags {
                    var wanted = descriptor
                    wanted.annotations = (descriptor.annotations ?? [:]).merging([Annotation.refName: tag]) { $1 }
                    guard index.entry(tagged: tag) != wanted,
                        let previous = index.setTag(tag, to: descriptor)
                    else { continue }
                    moved.append(TagMove(tag: tag, from: previous, to: descriptor.digest))
                }
            }
        }
        let images = zip(plan.images, entries).map { image, descriptor in
            ImportedImage(descriptor: descriptor, tags: image.tags, names: image.names)
        }
        return ImportResult(
            images: images, blobsAdded: blobsAdded, bytesAdded: bytesAdded, format: plan.format, moved: moved)
    }
}

extension OCILayout {
    /// Imports a `docker save` tarball (legacy form, or the OCI form of docker 25 and later) or an
    /// oci-archive, optionally gzip or zstd compressed.
    ///
    /// The archive is read once, as a stream. Manifests from the archive keep their exact bytes and digests;
    /// legacy docker archives get a generated OCI manifest over their config and layer files, which keep their
    /// digests. Nothing is committed unless the whole archive is valid: on any error the layout is unchanged.
    /// - Parameters:
    ///   - path: the archive, or `-` for standard input.
    ///   - options: tag, selection and progress.
    /// - Returns: the manifests listed and the blobs added.
    /// - Throws: `LayoutError.archive` or `.unsafeArchiveEntry` for malformed or dangerous archives,
    ///   `.digestMismatch` for a blob whose content does not match its name, `.invalidArgument` for a tag
    ///   claimed by two images or `--tag` with several images, `.manifestNotFound` when the selection matches
    ///   nothing.
    public func importArchive(from path: String, options: ImportOptions = .init()) throws(LayoutError)
        -> ImportResult
    {
        try ArchiveImporter(layout: self, archivePath: path, options: options).run()
    }
}
