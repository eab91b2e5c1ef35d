// SPDX-License-Identifier: Apache-2.0
import Foundation

/// Copies an image (or index) with everything it references from one layout to another, preserving every
/// manifest byte for byte, so digests are the same on both sides.
///
/// Order: blobs (hard-linked when both layouts share a filesystem, else streamed and verified), then child
/// manifests, then the top manifest through `putManifest` (tagged when `tag` is given), then referrers.
///
/// An index is copied as skopeo copies it: whole with `all` (or when no child declares a platform); with
/// `platforms`, a new index (same media type and annotations) holding only the matching children; otherwise
/// the host platform's image alone, as a plain image manifest. Referrers of the source index are not copied
/// when a new index is made or a single image is picked (their subject is not in the destination); referrers
/// of the images copied are.
/// - Parameters:
///   - source: the layout holding `descriptor`.
///   - descriptor: the manifest to copy.
///   - destination: the layout to copy into (created beforehand).
///   - tag: the tag to set in the destination; nil lists the manifest untagged.
///   - options: platforms, referrers, progress.
/// - Returns: what the destination now holds and what moved.
/// - Throws: `.invalidArgument` when no child matches the platforms, `.invalidTag`, the layouts' errors.
public func copyImage(
    from source: OCILayout, _ descriptor: Descriptor, to destination: OCILayout, tag: String?,
    options: CopyOptions = CopyOptions()
) throws(LayoutError) -> CopyResult {
    if let tag { try Names.validateTag(tag) }
    var copier = ImageCopier(source: source, destination: destination, options: options)
    return try copier.copy(descriptor, tag: tag)
}

/// The state of one `copyImage` call.
struct ImageCopier {
    let source: OCILayout
    let destination: OCILayout
    let options: CopyOptions
    private var blobsCopied = 0
    private var bytesCopied: Int64 = 0

    init(source: OCILayout, destination: OCILayout, options: CopyOptions) {
        self.source = source
        self.destination = destination
        self.options = options
    }

    mutating func copy(_ descriptor: Descriptor, tag: String?) throws(LayoutError) -> CopyResult {
        let manifest = try source.manifest(descriptor)
        var stored: Descriptor
        var subjects: [Digest]
        var filtered = false
        switch manifest.kind {
        case .index(let index) where !options.all && PlatformSelection.hasPlatforms(index):
            if options.platforms.isEmpty {
                let child = try PlatformSelection.child(of: index, digest: descriptor.digest, matching: .host)
                return try copy(child, tag: tag)
            }
            (stored, subjects) = try copyFiltered(index, of: manifest, digest: descriptor.digest, tag: tag)
            filtered = true
        default:
            (stored, subjects) = try copyWhole(descriptor, tag: tag)
        }
        var referrers = 0
        if options.referrers {
            for edge in try source.referrerEdges(of: subjects, artifactTypes: options.artifactTypes) {
                _ = try copyWhole(edge.referrer, tag: nil)
                referrers += 1
            }
        }
        return CopyResult(
            descriptor: stored, blobsCopied: blobsCopied, bytesCopied: bytesCopied, referrersCopied: referrers,
            filteredIndex: filtered)
    }

    /// Copies a manifest's closure and lists the manifest in the destination.
    /// - Returns: the destination's descriptor and the digests of every manifest copied (referrer subjects).
    private mutating func copyWhole(_ descriptor: Descriptor, tag: String?) throws(LayoutError)
        -> (Descriptor, [Digest])
    {
        var closure = ContentClosure()
        let manifest = try closure.addManifest(descriptor, from: source)
        for blob in closure.blobs.dropLast() { try copyBlob(blob.descriptor) }
        let stored = try put(manifest, digest: descriptor.digest, tag: tag)
        return (stored, closure.blobs.filter(\.isManifest).map(\.descriptor.digest))
    }

    /// Copies the children of `index` matching `options.platforms` and lists a new index holding only them.
    private mutating func copyFiltered(_ index: ImageIndex, of manifest: Manifest, digest: Digest, tag: String?)
        throws(LayoutError) -> (Descriptor, [Digest])
    {
        for platform in options.platforms {
            _ = try PlatformSelection.child(of: index, digest: digest, matching: platform)
        }
        let children = PlatformSelection.children(of: index, matching: options.platforms)
        var closure = ContentClosure()
        for child in children { try closure.addManifest(child, from: source) }
        for blob in closure.blobs { try copyBlob(blob.descriptor) }
        var filtered = index
        filtered.mediaType = manifest.mediaType
        filtered.manifests = children
        let bytes: Data
        do { bytes = try JSONEncoder.ocitool.encode(filtered) } catch {
            throw .manifestInvalid("cannot encode the filtered index: \(error)")
        }
        let generated = try Manifest(bytes: bytes, declared: manifest.mediaType)
        let stored = try put(generated, digest: generated.digest, tag: tag)
        return (stored, closure.blobs.filter(\.isManifest).map(\.descriptor.digest))
    }

    private mutating func copyBlob(_ descriptor: Descriptor) throws(LayoutError) {
        let present = destination.blobSize(descriptor.digest) == descriptor.size
        try destination.copyBlob(descriptor.digest, from: source, progress: options.progress)
        if !present { count(descriptor.size) }
    }

    private mutating func put(_ manifest: Manifest, digest: Digest, tag: String?) throws(LayoutError) -> Descriptor {
        let present = destination.blobSize(digest) != nil
        let stored = try destination.putManifest(
            manifest.bytes, mediaType: manifest.mediaType, tag: tag, expected: digest)
        if !present {
            count(stored.size)
            options.progress?(stored.size)
        }
        return stored
    }

    private mutating func count(_ size: Int64) {
        blobsCopied += 1
        bytesCopied += size
    }
}
