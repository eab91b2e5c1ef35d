// SPDX-License-Identifier: Apache-2.0
public import Layout

/// Copies an image with everything it references, and its referrers, from any `ImageSource` to any
/// `ImageDestination`: registry to layout, layout to registry, registry to registry, layout to layout.
/// Manifests are copied byte for byte, so digests are the same on both sides.
///
/// The plan follows Layout's `copyImage`: an index is copied whole with `all` (or when no child declares a
/// platform); with `platforms`, as a new index holding only the matching children; otherwise the host
/// platform's image alone. Then:
/// 1. every manifest of the closure is fetched from the source (children before parents);
/// 2. the blobs are transferred in parallel, at most `jobs` at a time, each skipped when the destination has
///    it, mounted when source and destination are repositories of one registry, else streamed with constant
///    memory (registry→layout into a `BlobWriter`; layout→registry from the blob file; registry→registry
///    through a bounded `BlobPipe` between the GET and the upload);
/// 3. manifests are stored children first, the top one untagged;
/// 4. referrers of every copied manifest, recursively (signatures of SBOMs), filtered by artifact type at the
///    first level;
/// 5. the tag, last: a failed copy never leaves the tag pointing at incomplete content.
///
/// All calls block; run them on a thread of your own.
public struct ImageSync: Sendable {
    /// Where manifests and blobs are read.
    public let source: any ImageSource
    /// Where they are written.
    public let destination: any ImageDestination
    /// Platforms, referrers, parallelism, progress.
    public let options: SyncOptions

    /// A copy from `source` to `destination`; nothing happens until `copy`.
    public init(from source: any ImageSource, to destination: any ImageDestination, options: SyncOptions = SyncOptions()) {
        self.source = source
        self.destination = destination
        self.options = options
    }

    /// Resolves `selector` at the source and copies that manifest.
    /// - Parameters:
    ///   - selector: a tag or digest at the source; nil for the source's default (`latest`, a layout's only
    ///     image).
    ///   - tag: the tag to set at the destination; nil stores the manifest untagged (by digest).
    /// - Returns: what moved and what the destination now holds.
    /// - Throws: `.invalidArgument`-like Layout errors for bad tags or platforms, `.notFound`, registry,
    ///   transport and verification errors. Nothing is tagged after a failure.
    @discardableResult
    public func copy(_ selector: ImageReference.Selector?, tag: String?) throws(SyncError) -> SyncResult {
        if let tag { try layoutCall { () throws(LayoutError) in try Names.validateTag(tag) } }
        return try copy(try source.resolve(selector), tag: tag)
    }

    /// Copies the manifest `descriptor` points at.
    @discardableResult
    public func copy(_ descriptor: Descriptor, tag: String?) throws(SyncError) -> SyncResult {
        if let tag { try layoutCall { () throws(LayoutError) in try Names.validateTag(tag) } }
        return try SyncRun(source: source, destination: destination, options: options).copy(descriptor, tag: tag)
    }
}
