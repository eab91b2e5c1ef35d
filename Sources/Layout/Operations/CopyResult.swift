// SPDX-License-Identifier: Apache-2.0

/// What a copy did.
public struct CopyResult: Codable, Sendable, Hashable {
    /// The manifest the destination now holds (under the tag, if one was given): the source manifest byte
    /// for byte, the host platform's image of an index, or a new index when platforms were filtered.
    public var descriptor: Descriptor
    /// Blobs (layers, configs, manifests) the destination did not have before.
    public var blobsCopied: Int
    /// Their bytes, whether hard-linked or streamed.
    public var bytesCopied: Int64
    /// Referrer manifests copied along (including ones the destination already had).
    public var referrersCopied: Int
    /// Whether `descriptor` is a new index holding only the selected platforms (its digest differs from the
    /// source's).
    public var filteredIndex: Bool

    public init(
        descriptor: Descriptor, blobsCopied: Int, bytesCopied: Int64, referrersCopied: Int, filteredIndex: Bool
    ) {
        self.descriptor = descriptor
        self.blobsCopied = blobsCopied
        self.bytesCopied = bytesCopied
        self.referrersCopied = referrersCopied
        self.filteredIndex = filteredIndex
    }
}
