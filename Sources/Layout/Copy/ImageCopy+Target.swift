// SPDX-License-Identifier: Apache-2.0

extension ImageCopy {
    /// The digest a copy of `descriptor` would store at the destination, without copying: the descriptor's own
    /// digest, except for an index with platforms copied without `all`: the host platform's image, or the new
    /// index holding only `platforms` (made the same way, so the digest is the same). Fetches the index (one
    /// manifest) in those cases only.
    /// - Throws: `.notFound`-like errors from the source, a Layout error when no child matches a platform.
    public func target(of descriptor: Descriptor) throws -> Digest {
        try ImageCopy.target(of: descriptor, in: source, options: options)
    }

    /// `target(of:)` for a source and options, without a destination (what a plan needs).
    public static func target(of descriptor: Descriptor, in source: any ImageSource, options: CopyOptions)
        throws -> Digest
    {
        guard descriptor.mediaType.isIndex, !options.all else { return descriptor.digest }
        let manifest = try source.manifest(descriptor)
        guard case .index(let index) = manifest.kind, PlatformSelection.hasPlatforms(index) else {
            return descriptor.digest
        }
        if options.platforms.isEmpty {
            let child = try PlatformSelection.child(of: index, digest: descriptor.digest, matching: .host)
            return try target(of: child, in: source, options: options)
        }
        return try CopyRun.filtered(index, of: manifest, digest: descriptor.digest, platforms: options.platforms)
            .index.digest
    }
}
