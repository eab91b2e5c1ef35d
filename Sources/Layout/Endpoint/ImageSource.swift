// SPDX-License-Identifier: Apache-2.0

/// Where images are copied from: a layout (`LayoutEndpoint`), an archive read in place, or a registry
/// repository (Sync's `RemoteRegistry`). `ImageEndpoints.source` opens the right one for a reference.
///
/// Calls block their thread; the copy engine calls them from several worker threads at once. Errors are
/// the endpoint's own (`LayoutError` for local ones, Sync's `SyncError` for a registry): the engine passes
/// them through unchanged.
public protocol ImageSource: Sendable, CustomStringConvertible {
    /// Finds a manifest: by tag, by digest, or (no selector) the default (`latest` for a registry, the only
    /// image of a layout or archive).
    /// - Throws: a not-found error (`isNotFound`) when there is no such manifest.
    func resolve(_ selector: ImageReference.Selector?) throws -> Descriptor

    /// The manifest a descriptor points at, exact bytes, verified against the descriptor's digest.
    func manifest(_ descriptor: Descriptor) throws -> Manifest

    /// Streams a blob from `offset` to `body`, each byte once and in order. The bytes are not necessarily
    /// verified: every destination verifies what it stores.
    func readBlob(_ descriptor: Descriptor, from offset: Int64, into body: (UnsafeRawBufferPointer) throws -> Void)
        throws

    /// `readBlob(_:from:into:)` for a destination that resumes a partial blob: when the source cannot start at
    /// `offset` (a registry that ignores `Range`), it calls `restart` and streams the blob from byte 0 instead.
    /// The default starts at `offset`.
    func readBlob(
        _ descriptor: Descriptor, from offset: Int64, restart: () throws -> Void,
        into body: (UnsafeRawBufferPointer) throws -> Void
    ) throws

    /// A blob from `offset` as a pull stream (what uploads read from). The default runs `readBlob` on a thread
    /// of its own feeding a bounded `BlobPipe`.
    func openBlob(_ descriptor: Descriptor, from offset: Int64) throws -> any BlobStream

    /// The referrers of a manifest (referrers API, fallback tag and cosign's legacy tags for a registry;
    /// index.json for a layout or an OCI archive; none for a docker archive).
    func referrers(of digest: Digest) throws -> [Referrer]

    /// Capability: the layout whose blob files this source reads, when it is a layout on this machine. A
    /// layout destination hard-links blobs from it (after checking them), and a push keeps its resume record
    /// in it. nil by default.
    var localLayout: OCILayout? { get }

    /// Capability: the registry repository this source reads, so that a destination in the same registry can
    /// mount blobs instead of copying them. nil by default.
    var mountOrigin: MountOrigin? { get }

    /// Capability: whether referrers can exist here at all; a docker archive holds none, and a copy says so
    /// instead of silently finding none. True by default.
    var holdsReferrers: Bool { get }
}

/// A repository of a registry as a place blobs can be mounted from.
public struct MountOrigin: Sendable, Hashable {
    /// The registry's identity: scheme, host and port (`https://registry.example:5000`).
    public var registry: String
    /// The repository.
    public var repository: String

    public init(registry: String, repository: String) {
        self.registry = registry
        self.repository = repository
    }
}

extension ImageSource {
    public func readBlob(
        _ descriptor: Descriptor, from offset: Int64, restart: () throws -> Void,
        into body: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        try readBlob(descriptor, from: offset, into: body)
    }

    public func openBlob(_ descriptor: Descriptor, from offset: Int64) throws -> any BlobStream {
        BlobPipe.start { (pipe) in
            try self.readBlob(descriptor, from: offset) { (bytes) in try pipe.write(bytes) }
        }
    }

    public var localLayout: OCILayout? { nil }
    public var mountOrigin: MountOrigin? { nil }
    public var holdsReferrers: Bool { true }
}
