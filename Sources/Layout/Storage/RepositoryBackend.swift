// SPDX-License-Identifier: Apache-2.0
public import Foundation

/// Where a store's repositories live when they are not layout directories under its root: an object store
/// shared by several servers. The store's root then holds only this machine's private state (upload sessions,
/// caches, scan results), and every repository's blobs and index.json go to the backend's `BlobStorage`.
public protocol RepositoryBackend: Sendable {
    /// Names the backend in messages and repository locations, e.g. `s3://bucket/prefix`.
    var location: String { get }

    /// Every repository that has an index.json, sorted.
    /// - Throws: I/O errors (the backend unreachable).
    func repositories() throws(LayoutError) -> [String]

    /// Whether repository `name` has an index.json.
    /// - Throws: I/O errors: the backend could not say (never "no" for a backend that did not answer).
    func hasRepository(_ name: String) throws(LayoutError) -> Bool

    /// The storage of repository `name` (a valid name), which may hold nothing yet.
    func storage(for name: String) -> any BlobStorage

    /// Bytes and number of distinct blobs the backend holds.
    /// - Throws: I/O errors.
    func blobUsage() throws(LayoutError) -> (bytes: Int64, blobs: Int)

    /// Deletes the shared blobs no repository holds, unchanged for `grace` seconds (each looked at again just
    /// before it goes, so a writer reusing one meanwhile keeps it).
    /// - Returns: the digests removed.
    /// - Throws: I/O errors.
    func sweepUnreferencedBlobs(grace: Double, now: Date) throws(LayoutError) -> [Digest]

    /// Whether the backend answers and accepts writes now (a server's readiness).
    func isReadyForWrites() -> Bool

    /// Where the store's upload sessions live, when every server of the backend should reach them (nil, the
    /// default: in a directory under the store's root, `FileUploadArea`).
    var uploadArea: (any UploadArea)? { get }
}

extension RepositoryBackend {
    public var uploadArea: (any UploadArea)? { nil }
}
