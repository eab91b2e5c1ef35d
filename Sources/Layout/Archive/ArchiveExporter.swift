// SPDX-License-Identifier: Apache-2.0

/// Writes images from any sources into an oci-archive or docker-archive tarball: each item is copied by the one
/// copy engine (`ImageCopy`) from its source into one `ArchiveDestination`, which streams
/// the tar as blobs arrive and appears at `path` only when every item is in.
///
/// Blobs are streamed from the sources, never loaded whole, each written once even when several items share
/// it, and hashed on the way: a blob whose content does not match its digest fails the export. A file
/// destination is written to `DEST.tmp-<pid>-<random>` next to it, fsynced and renamed into place, so a failed
/// export never leaves a partial archive at `DEST`; `-` streams to standard output. When
/// `ExportOptions.progressTotal` is set, the export is first planned (the same copy into a destination that
/// only counts, reading manifests only), so the total is announced before the first byte.
///
/// - Parameters:
///   - items: the images to export, with their names in the archive.
///   - path: the archive file, or `-` for standard output.
///   - options: format, compression, referrers, platform, progress.
/// - Returns: what was written.
/// - Throws: `.invalidArgument` (no items, a tag given to two images, no image for the platform),
///   `.unsupported` (an index or artifact for docker-archive), the sources' read errors, `.digestMismatch`,
///   `.archive`/`.io` when writing.
@discardableResult
public func exportArchive(_ items: [ExportItem], to path: String, options: ExportOptions = ExportOptions())
    throws -> ExportResult
{
    guard !items.isEmpty else { throw LayoutError.invalidArgument("nothing to export: no images given") }
    let exporter = ArchiveExporter(options: options)
    let resolved = try items.map { (item) in try exporter.resolve(item) }
    if let announce = options.progressTotal {
        let plan = ArchiveDestination(planning: options.format)
        try exporter.copy(resolved, into: plan)
        announce(plan.bytesWritten)
    }
    let destination = try ArchiveDestination(
        path: path, format: options.format, compression: options.compression, progress: options.progress)
    do { try exporter.copy(resolved, into: destination) } catch {
        destination.discard()
        throw error
    }
    return ExportResult(
        images: Set(resolved.map(\.descriptor.digest)).count, referrers: destination.referrersListed,
        blobs: destination.blobsWritten, bytes: destination.bytesWritten, format: options.format, path: path)
}

/// The work behind `exportArchive`.
struct ArchiveExporter {
    let options: ExportOptions

    /// The manifest an item stands for in the archive. oci-archive: the item itself, or with a platform the
    /// matching child of an index (a plain image under the item's tag). docker-archive, which holds images
    /// only: the item, or the child of an index for the platform (the host's by default).
    func resolve(_ item: ExportItem) throws -> ExportItem {
        var resolved = item
        if options.format == .ociArchive, let tag = item.tag { try Names.validateTag(tag) }
        let platform = options.format == .dockerArchive ? options.platform ?? .host : options.platform
        guard let platform else { return resolved }
        while case .index(let index) = try item.source.manifest(resolved.descriptor).kind {
            resolved.descriptor = try PlatformSelection.child(
                of: index, digest: resolved.descriptor.digest, matching: platform)
        }
        return resolved
    }

    /// Copies every item into `destination`, names each, and finishes it.
    func copy(_ items: [ExportItem], into destination: ArchiveDestination) throws {
        // One member at a time in a fixed order: the same images always give the same archive bytes.
        let copyOptions = CopyOptions(
            all: true, referrers: options.referrers && options.format == .ociArchive, progress: options.progress,
            jobs: 1)
        let target = UnfinishedDestination(base: destination)
        for item in items {
            let copied = try ImageCopy(from: item.source, to: target, options: copyOptions).copy(item.descriptor, tag: nil)
            switch options.format {
            case .ociArchive:
                var entry = item.descriptor
                entry.mediaType = copied.descriptor.mediaType
                entry.size = copied.descriptor.size
                try destination.list(entry, tag: item.tag)
            case .dockerArchive:
                if let name = item.dockerName { try destination.name(copied.descriptor.digest, as: name) }
            }
        }
        try destination.finish()
    }
}

/// An archive destination whose `finish` waits for the last item: each `ImageCopy` finishes its destination,
/// and an export makes one copy per item.
private struct UnfinishedDestination: ImageDestination {
    let base: ArchiveDestination

    var description: String { base.description }
    var keepsReferrers: Bool { base.keepsReferrers }

    func hasBlob(_ descriptor: Descriptor) -> Bool { base.hasBlob(descriptor) }

    func putBlob(_ descriptor: Descriptor, from source: any ImageSource, progress: (@Sendable (Int64) -> Void)?)
        throws -> BlobTransfer
    {
        try base.putBlob(descriptor, from: source, progress: progress)
    }

    func putManifest(_ manifest: Manifest, digest: Digest, as role: ManifestRole) throws -> Bool {
        try base.putManifest(manifest, digest: digest, as: role)
    }

    func finish() {}
}
