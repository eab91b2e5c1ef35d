// SPDX-License-Identifier: Apache-2.0
public import Layout

/// Where images are copied from: a registry repository (`RemoteRegistry`) or a layout (`LayoutEndpoint`).
///
/// Calls block their thread; the copy engine calls them from several worker threads at once.
public protocol ImageSource: Sendable, CustomStringConvertible {
    /// Finds a manifest: by tag, by digest, or (no selector) the default (`latest` for a registry, the only
    /// image for a layout).
    /// - Throws: `.notFound` (or `.layout(.manifestNotFound)`) when there is no such manifest.
    func resolve(_ selector: ImageReference.Selector?) throws(SyncError) -> Descriptor

    /// The manifest a descriptor points at, exact bytes, verified against the descriptor's digest.
    func manifest(_ descriptor: Descriptor) throws(SyncError) -> Manifest

    /// Streams a blob from `offset` to `body`, each byte once and in order. The bytes are not necessarily
    /// verified: every destination verifies what it stores (a layout's `BlobWriter`, a registry's digest check
    /// on upload).
    func readBlob(
        _ descriptor: Descriptor, from offset: Int64, into body: (UnsafeRawBufferPointer) throws(SyncError) -> Void
    ) throws(SyncError)

    /// `readBlob(_:from:into:)` for a destination that resumes a partial blob: when the source cannot start at
    /// `offset` (a registry that ignores `Range`), it calls `restart` and streams the blob from byte 0 instead.
    /// The default starts at `offset` (a layout always can).
    func readBlob(
        _ descriptor: Descriptor, from offset: Int64, restart: () throws(SyncError) -> Void,
        into body: (UnsafeRawBufferPointer) throws(SyncError) -> Void
    ) throws(SyncError)

    /// A blob from `offset` as a pull stream (what uploads read from). The default runs `readBlob` on a thread
    /// of its own feeding a bounded `BlobPipe`.
    func openBlob(_ descriptor: Descriptor, from offset: Int64) throws(SyncError) -> any BlobStream

    /// The referrers of a manifest (referrers API, fallback tag, cosign's legacy tags for a registry;
    /// index.json for a layout).
    func referrers(of digest: Digest) throws(SyncError) -> [Referrer]
}

extension ImageSource {
    public func readBlob(
        _ descriptor: Descriptor, from offset: Int64, restart: () throws(SyncError) -> Void,
        into body: (UnsafeRawBufferPointer) throws(SyncError) -> Void
    ) throws(SyncError) {
        try readBlob(descriptor, from: offset, into: body)
    }

    public func openBlob(_ descriptor: Descriptor, from offset: Int64) throws(SyncError) -> any BlobStream {
        BlobPipe.start { (pipe) throws(SyncError) in
            try self.readBlob(descriptor, from: offset) { (bytes) throws(SyncError) in try pipe.write(bytes) }
        }
    }
}
