// SPDX-License-Identifier: Apache-2.0
public import Layout

/// What an `ImageSync` copy did.
public struct SyncResult: Codable, Sendable, Hashable {
    /// The manifest the destination now holds (under the tag, if one was given): the source manifest byte for
    /// byte, the host platform's image of an index, or a new index when platforms were filtered.
    public var descriptor: Descriptor
    /// Blobs (layers, configs) the destination did not have: streamed, mounted or hard-linked.
    public var blobsCopied: Int
    /// Their bytes.
    public var bytesCopied: Int64
    /// Of those, blobs mounted from another repository of the same registry.
    public var blobsMounted: Int
    /// Blobs the destination already had.
    public var blobsSkipped: Int
    /// Manifests (images, indexes, children, referrers) the destination did not have.
    public var manifestsCopied: Int
    /// Referrer manifests copied along (including ones the destination already had).
    public var referrersCopied: Int
    /// Whether `descriptor` is a new index holding only the selected platforms (its digest differs from the
    /// source's).
    public var filteredIndex: Bool

    public init(
        descriptor: Descriptor, blobsCopied: Int = 0, bytesCopied: Int64 = 0, blobsMounted: Int = 0,
        blobsSkipped: Int = 0, manifestsCopied: Int = 0, referrersCopied: Int = 0, filteredIndex: Bool = false
    ) {
        self.descriptor = descriptor
        self.blobsCopied = blobsCopied
        self.bytesCopied = bytesCopied
        self.blobsMounted = blobsMounted
        self.blobsSkipped = blobsSkipped
        self.manifestsCopied = manifestsCopied
        self.referrersCopied = referrersCopied
        self.filteredIndex = filteredIndex
    }

    /// The same as Layout's `CopyResult` (what `ocitool copy` prints for layout copies); manifests count as
    /// blobs there.
    public var copyResult: CopyResult {
        CopyResult(
            descriptor: descriptor, blobsCopied: blobsCopied + manifestsCopied, bytesCopied: bytesCopied,
            referrersCopied: referrersCopied, filteredIndex: filteredIndex)
    }
}
