// SPDX-License-Identifier: Apache-2.0

/// The one copy engine: copies an image with everything it references, and its referrers, from any
/// `ImageSource` to any `ImageDestination` (layouts, archives, registries, in any pair). Manifests are copied
/// byte for byte, so digests are the same on both sides.
///
/// An index is copied whole with `all` (or when no child declares a platform); with `platforms`, as a new
/// index holding only the matching children (said in the result: its digest is new); otherwise the host
/// platform's image alone. Then:
/// 1. every manifest of the closure is fetched from the source (children before parents);
/// 2. the blobs are transferred in parallel, at most `jobs` at a time, each skipped when the destination has
///    it, hard-linked from a local layout, mounted within one registry, else streamed with constant memory;
/// 3. manifests are stored children first, the top one untagged;
/// 4. referrers of every copied manifest, recursively (signatures of SBOMs), filtered by artifact type at the
///    first level (none when the source or destination cannot hold them: said in the result);
/// 5. the tag, last: a failed copy never leaves the tag pointing at incomplete content;
/// 6. `destination.finish()` (an archive appears at its path).
///
/// With a `gate` (a required signature), the image asked for must pass it before step 1: a refused image
/// writes nothing.
///
/// All calls block; run them on a thread of your own. Errors are the endpoints' own, passed through.
public struct ImageCopy: Sendable {
    /// Where manifests and blobs are read.
    public let source: any ImageSource
    /// Where they are written.
    public let destination: any ImageDestination
    /// Platforms, referrers, parallelism, progress.
    public let options: CopyOptions

    /// A copy from `source` to `destination`; nothing happens until `copy`.
    public init(from source: any ImageSource, to destination: any ImageDestination, options: CopyOptions = CopyOptions()) {
        self.source = source
        self.destination = destination
        self.options = options
    }

    /// Resolves `selector` at the source, copies that manifest and finishes the destination.
    /// - Parameters:
    ///   - selector: a tag or digest at the source; nil for the source's default (`latest`, the only image).
    ///   - tag: the tag to set at the destination; nil stores the manifest untagged (by digest).
    /// - Returns: what moved and what the destination now holds.
    /// - Throws: `LayoutError.invalidTag`, `.invalidArgument` when no child matches a platform, the endpoints'
    ///   not-found, transport and verification errors, `.verificationFailed` when the gate refuses the image.
    ///   Nothing is tagged after a failure.
    @discardableResult
    public func copy(_ selector: ImageReference.Selector?, tag: String?) throws -> CopyResult {
        if let tag { try Names.validateTag(tag) }
        return try copy(try source.resolve(selector), tag: tag)
    }

    /// Copies the manifest `descriptor` points at and finishes the destination.
    @discardableResult
    public func copy(_ descriptor: Descriptor, tag: String?) throws -> CopyResult {
        try finishing { () throws in try copyWithoutFinishing(descriptor, tag: tag) }
    }

    /// Copies several images into one destination (an archive holding them all), then finishes it once.
    /// - Returns: one result per image, in order.
    public func copy(_ images: [(descriptor: Descriptor, tag: String?)]) throws -> [CopyResult] {
        try finishing { () throws in try images.map { (image) throws in try copyWithoutFinishing(image.descriptor, tag: image.tag) } }
    }

    /// Runs `body`, then finishes the destination; discards it when either fails.
    private func finishing<T>(_ body: () throws -> T) throws -> T {
        do {
            let result = try body()
            try destination.finish()
            return result
        } catch {
            destination.discard()
            throw error
        }
    }

    private func copyWithoutFinishing(_ descriptor: Descriptor, tag: String?) throws -> CopyResult {
        if let tag { try Names.validateTag(tag) }
        try options.gate?.check(descriptor, from: source, named: "\(source)")
        return try CopyRun(source: source, destination: destination, options: options).copy(descriptor, tag: tag)
    }
}
