// SPDX-License-Identifier: Apache-2.0

extension LayoutEndpoint: ImageSource {
    public func resolve(_ selector: ImageReference.Selector?) throws(LayoutError) -> Descriptor {
        try layout.resolve(selector)
    }

    public func manifest(_ descriptor: Descriptor) throws(LayoutError) -> Manifest {
        try layout.manifest(descriptor)
    }

    public func readBlob(
        _ descriptor: Descriptor, from offset: Int64, into body: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        try openBlob(descriptor, from: offset).forEachPiece(body)
    }

    /// The blob file itself, read with `pread` (no thread, no copy through a pipe).
    public func openBlob(_ descriptor: Descriptor, from offset: Int64) throws(LayoutError) -> any BlobStream {
        FileBlobStream(reader: try layout.openBlob(descriptor.digest), offset: offset)
    }

    /// The layout's referrers (subject annotations and fallback tags in index.json), plus manifests under
    /// cosign's legacy tags.
    public func referrers(of digest: Digest) throws(LayoutError) -> [Referrer] {
        var result = try layout.referrers(of: digest).map { Referrer(descriptor: $0) }
        let index = try layout.readIndex()
        for (tag, type) in Referrer.cosignTags(of: digest) {
            guard var entry = index.entry(tagged: tag) else { continue }
            guard !result.contains(where: { $0.descriptor.digest == entry.digest }) else { continue }
            entry.annotations?.removeValue(forKey: Annotation.refName)
            if entry.annotations?.isEmpty == true { entry.annotations = nil }
            entry.artifactType = type
            result.append(Referrer(descriptor: entry, legacyTag: tag))
        }
        return result
    }

    /// The tags index.json lists for the digest, sorted.
    public func tags(of digest: Digest) throws(LayoutError) -> [String] {
        try layout.readIndex().entries(for: digest).compactMap(\.refName).sorted()
    }

    /// The layout itself: a layout destination hard-links its blobs, a push keeps resume records in it.
    public var localLayout: OCILayout? { layout }
}
