// SPDX-License-Identifier: Apache-2.0
public import Foundation

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

    /// The tags that point at `digest`, as far as the source can tell cheaply (a layout's index.json, an
    /// archive's names); none by default (a registry would have to resolve every tag).
    func tags(of digest: Digest) throws -> [String]

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

    public func tags(of digest: Digest) throws -> [String] { [] }

    /// A small blob (an image config) read whole and verified against its digest and size.
    /// - Throws: `LayoutError.tooLarge` past `limit` bytes, `.digestMismatch`, `.sizeMismatch`, the source's errors.
    public func blobData(_ descriptor: Descriptor, limit: Int = Manifest.maxSize) throws -> Data {
        guard descriptor.size <= Int64(limit) else {
            throw LayoutError.tooLarge("blob \(descriptor.digest)", size: descriptor.size, limit: limit)
        }
        var data = Data()
        let hasher = descriptor.digest.makeHasher()
        try readBlob(descriptor, from: 0) { (bytes) in
            guard data.count + bytes.count <= descriptor.size else {
                throw LayoutError.sizeMismatch(descriptor.digest, expected: descriptor.size, actual: Int64(data.count + bytes.count))
            }
            hasher.update(bytes)
            data.append(contentsOf: bytes)
        }
        guard Int64(data.count) == descriptor.size else {
            throw LayoutError.sizeMismatch(descriptor.digest, expected: descriptor.size, actual: Int64(data.count))
        }
        let actual = hasher.finalize()
        guard actual == descriptor.digest else { throw LayoutError.digestMismatch(expected: descriptor.digest, actual: actual) }
        return data
    }

    public var localLayout: OCILayout? { nil }
    public var mountOrigin: MountOrigin? { nil }
    public var holdsReferrers: Bool { true }
}
