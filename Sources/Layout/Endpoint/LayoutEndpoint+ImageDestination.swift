// SPDX-License-Identifier: Apache-2.0
extension LayoutEndpoint: ImageDestination {
    public func hasBlob(_ descriptor: Descriptor) -> Bool {
        layout.blobSize(descriptor.digest) == descriptor.size
    }

    /// From a source with a local layout: `copyBlob` (a hard link on one filesystem after checking the source
    /// file, else a verified copy). From any other source (a registry, an archive):
    /// streamed into the blob's partial file (`BlobWriter.resuming`), which a killed or failed copy leaves for
    /// the next one to resume: the bytes already there are hashed, and only the rest is fetched. The blob is
    /// committed only when digest and size match; a resumed file that does not verify is dropped and the blob
    /// fetched once more from byte 0. When another copy owns the partial file, the blob is fetched into a
    /// file of its own.
    public func putBlob(_ descriptor: Descriptor, from source: any ImageSource, progress: (@Sendable (Int64) -> Void)?)
        throws -> BlobTransfer
    {
        if let other = source.localLayout {
            let copied = try layout.copyBlob(descriptor.digest, from: other, progress: progress)
            return copied > 0 ? .copied : .linked
        }
        var resumed = false
        do {
            try download(descriptor, from: source, progress: progress, resumed: &resumed)
        } catch LayoutError.digestMismatch where resumed {
            // A partial file whose bytes were not the blob's (a crash lost written pages): it is gone now.
            try download(descriptor, from: source, progress: progress, resumed: &resumed)
        }
        return .copied
    }

    /// Fetches a blob into its partial file from where that file ends (a layout directory's), or into a fresh
    /// ingest of the layout's storage (another copy owns the partial file; an object store), verifies it and
    /// commits it. A source that cannot resume truncates the partial file, or starts a new ingest.
    /// - Parameter resumed: set when bytes of an earlier run were kept.
    /// - Throws: `LayoutError.digestMismatch` or `.sizeMismatch`, the partial file removed.
    private func download(
        _ descriptor: Descriptor, from source: any ImageSource, progress: (@Sendable (Int64) -> Void)?,
        resumed: inout Bool
    ) throws {
        let digest = descriptor.digest
        let storage = layout.storage
        let partial = try BlobWriter.resuming(digest, size: descriptor.size, in: layout)
        var writer: any BlobIngest = try partial ?? storage.makeIngest(algorithm: digest.algorithm)
        let resumedAt = writer.count
        resumed = resumedAt > 0
        if resumed { progress?(resumedAt) }
        try source.readBlob(
            descriptor, from: resumedAt,
            restart: {
                if let partial {
                    try partial.restart()
                } else {
                    writer = try storage.makeIngest(algorithm: digest.algorithm)
                }
            },
            into: { (bytes) in
                try writer.write(bytes)
                progress?(Int64(bytes.count))
            })
        try writer.finish(expected: digest, expectedSize: descriptor.size).commit()
    }

    /// A child is written as a blob once its references are checked; a root goes
    /// through `putManifest` (listed in index.json, tagged when the role says so).
    @discardableResult
    public func putManifest(_ manifest: Manifest, digest: Digest, as role: ManifestRole) throws(LayoutError) -> Bool {
        let present = layout.blobSize(digest) != nil
        switch role {
        case .child:
            try layout.checkReferences(of: manifest)
            try layout.writeBlob(manifest.bytes, expected: digest)
        case .root:
            try layout.putManifest(manifest.bytes, mediaType: manifest.mediaType, expected: digest)
        case .tagged(let tag):
            try layout.putManifest(manifest.bytes, mediaType: manifest.mediaType, tag: tag, expected: digest)
        }
        return !present
    }
}
