// SPDX-License-Identifier: Apache-2.0

/// Everything a set of manifests needs, each blob once, in dependency order: a manifest comes after every
/// blob and child manifest it references, so copying or archiving in this order never lists a manifest
/// before its content. Used by export and copy.
struct ContentClosure {
    /// One blob of the closure and the layout it comes from.
    struct Blob {
        let layout: OCILayout
        /// Media type, digest and size (the size as found on disk, checked against the reference).
        let descriptor: Descriptor
        /// Whether the blob is a manifest (image manifest or index).
        let isManifest: Bool
    }

    /// The blobs, in dependency order.
    private(set) var blobs: [Blob] = []
    private var seen: Set<Digest> = []

    /// Whether the closure already holds `digest`.
    func contains(_ digest: Digest) -> Bool { seen.contains(digest) }

    /// Adds a manifest and everything it references: config and layers, or every child of an index
    /// (recursively). Foreign layers absent from the layout (they live at their URLs) are skipped.
    /// - Returns: the parsed manifest.
    /// - Throws: `.manifestNotFound`, `.blobNotFound`, `.sizeMismatch`, `.digestMismatch` (manifests are
    ///   read and verified), `.manifestInvalid`.
    @discardableResult
    mutating func addManifest(_ descriptor: Descriptor, from layout: OCILayout) throws(LayoutError) -> Manifest {
        let manifest = try layout.manifest(descriptor)
        guard !seen.contains(descriptor.digest) else { return manifest }
        switch manifest.kind {
        case .image(let image):
            for reference in [image.config] + image.layers { try addBlob(reference, from: layout) }
        case .index(let index):
            for child in index.manifests { try addManifest(child, from: layout) }
        }
        seen.insert(descriptor.digest)
        let stored = Descriptor(
            mediaType: manifest.mediaType, digest: descriptor.digest, size: Int64(manifest.bytes.count))
        blobs.append(Blob(layout: layout, descriptor: stored, isManifest: true))
        return manifest
    }

    /// Adds one non-manifest blob, checking that the layout has it with the referenced size.
    /// - Returns: the blob when it was added; nil when the closure already had it or it is an absent foreign
    ///   layer.
    @discardableResult
    mutating func addBlob(_ reference: Descriptor, from layout: OCILayout) throws(LayoutError) -> Blob? {
        guard !seen.contains(reference.digest) else { return nil }
        guard let size = layout.blobSize(reference.digest) else {
            if reference.urls?.isEmpty == false { return nil }
            throw .blobNotFound(reference.digest)
        }
        guard size == reference.size else {
            throw .sizeMismatch(reference.digest, expected: reference.size, actual: size)
        }
        seen.insert(reference.digest)
        let stored = Descriptor(mediaType: reference.mediaType, digest: reference.digest, size: size)
        let blob = Blob(layout: layout, descriptor: stored, isManifest: false)
        blobs.append(blob)
        return blob
    }
}
