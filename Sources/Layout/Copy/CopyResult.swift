// SPDX-License-Identifier: Apache-2.0

/// What an `ImageCopy` did. The same image gives the same counts whatever the pair of endpoints.
public struct CopyResult: Codable, Sendable, Hashable {
    /// The manifest the destination now holds (under the tag, if one was given): the source manifest byte for
    /// byte, the host platform's image of an index, or a new index when platforms were filtered.
    public var descriptor: Descriptor
    /// Manifests (images, indexes, children, referrers) the destination did not have.
    public var manifestsCopied: Int
    /// Blobs (layers, configs) the destination did not have: streamed, mounted or hard-linked.
    public var blobsCopied: Int
    /// Their bytes.
    public var bytesCopied: Int64
    /// Of those, blobs mounted from another repository of the same registry.
    public var blobsMounted: Int
    /// Of those, blobs hard-linked from a layout on the same filesystem.
    public var blobsLinked: Int
    /// Blobs the destination already had.
    public var blobsSkipped: Int
    /// Referrer manifests copied along (counted once, when new at the destination).
    public var referrersCopied: Int
    /// Whether `descriptor` is a new index holding only the selected platforms (its digest differs from the
    /// source's).
    public var filteredIndex: Bool
    /// Whether referrers were asked for but one side cannot hold them (a docker archive), so none were
    /// looked for.
    public var referrersOmitted: Bool

    public init(
        descriptor: Descriptor, manifestsCopied: Int = 0, blobsCopied: Int = 0, bytesCopied: Int64 = 0,
        blobsMounted: Int = 0, blobsLinked: Int = 0, blobsSkipped: Int = 0, referrersCopied: Int = 0,
        filteredIndex: Bool = false, referrersOmitted: Bool = false
    ) {
        self.descriptor = descriptor
        self.manifestsCopied = manifestsCopied
        self.blobsCopied = blobsCopied
        self.bytesCopied = bytesCopied
        self.blobsMounted = blobsMounted
        self.blobsLinked = blobsLinked
        self.blobsSkipped = blobsSkipped
        self.referrersCopied = referrersCopied
        self.filteredIndex = filteredIndex
        self.referrersOmitted = referrersOmitted
    }
}
