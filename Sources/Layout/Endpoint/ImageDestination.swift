// SPDX-License-Identifier: Apache-2.0

/// Where images are copied to: a layout (`LayoutEndpoint`), an archive written as blobs arrive, or a registry
/// repository (Sync's `RemoteRegistry`). `ImageEndpoints.destination` opens the right one for a reference.
///
/// Calls block their thread; `hasBlob` and `putBlob` are called from several worker threads at once,
/// `putManifest` and `finish` from one thread at a time. A destination never downcasts its source: it asks
/// the source's capabilities (`localLayout`, `mountOrigin`).
public protocol ImageDestination: Sendable, CustomStringConvertible {
    /// Whether the destination already holds the blob (with its size).
    func hasBlob(_ descriptor: Descriptor) throws -> Bool

    /// Stores a blob read from `source`, verified against the descriptor's digest and size, mounting or
    /// hard-linking it instead when source and destination allow.
    /// - Parameter progress: called with byte counts as content lands (a mount or link reports the whole size).
    /// - Returns: how the blob got there.
    func putBlob(_ descriptor: Descriptor, from source: any ImageSource, progress: (@Sendable (Int64) -> Void)?)
        throws -> BlobTransfer

    /// Stores manifest bytes (everything they reference is already there).
    /// - Parameters:
    ///   - manifest: the exact bytes, parsed.
    ///   - digest: their digest.
    ///   - role: a child of an index, a root listed untagged, or a root under a tag.
    /// - Returns: whether the destination did not have the manifest before.
    @discardableResult
    func putManifest(_ manifest: Manifest, digest: Digest, as role: ManifestRole) throws -> Bool

    /// Ends the copy once everything is stored: an archive writes its index and appears at its path (until
    /// then it is a temporary file, removed if the copy fails). The default does nothing: a layout and a
    /// registry hold each piece as soon as it is put.
    func finish() throws

    /// Gives up a copy that failed: an archive removes its temporary file. The default does nothing (a layout
    /// or registry keeps the blobs it got, for the next attempt; gc removes them otherwise).
    func discard()

    /// Whether this destination keeps referrers (a docker archive does not: a copy says so).
    var keepsReferrers: Bool { get }
}

extension ImageDestination {
    public func finish() throws {}
    public func discard() {}
    public var keepsReferrers: Bool { true }
}

/// How a manifest is stored at a destination.
public enum ManifestRole: Sendable, Hashable {
    /// A child of an index being copied: stored, reachable through its parent (a layout does not list it in
    /// index.json).
    case child
    /// A manifest listed on its own without a tag (an image before its tag is set, a referrer).
    case root
    /// A manifest under a tag (set last, once everything it needs is there).
    case tagged(String)
}

/// How a blob reached a destination.
public enum BlobTransfer: String, Sendable, Codable {
    /// Its bytes were streamed.
    case copied
    /// Mounted from another repository of the same registry.
    case mounted
    /// Hard-linked from a layout on the same filesystem.
    case linked
}
