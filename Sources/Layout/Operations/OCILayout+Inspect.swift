// SPDX-License-Identifier: Apache-2.0
import Foundation

extension OCILayout {
    /// Summarises a manifest of the layout: tags, kind, platform(s), config, layers, total size, artifact
    /// type, annotations, subject and referrers.
    ///
    /// An image's config is read (capped at `Manifest.maxSize`, digest verified) and decoded leniently when its
    /// media type is an image config; an artifact's config is not read. For an index, each child present in the
    /// layout is read to add its blobs to the total (each distinct blob once); a child that is absent counts
    /// with its descriptor's size only.
    /// - Parameter descriptor: the manifest, e.g. from `resolve(_:)`.
    /// - Throws: `.manifestNotFound`, `.manifestInvalid`, `.digestMismatch`, or `.blobNotFound` for a
    ///   missing image config.
    public func summary(of descriptor: Descriptor) throws -> ImageSummary {
        let endpoint = LayoutEndpoint(self)
        return try ImageSummary(of: descriptor, in: endpoint, tags: try endpoint.tags(of: descriptor.digest))
    }
}
