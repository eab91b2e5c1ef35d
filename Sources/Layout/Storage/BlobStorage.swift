// SPDX-License-Identifier: Apache-2.0
public import Foundation

/// Where one repository's content lives: its blobs, by digest, and its `index.json`. `OCILayout` (and through it
/// `Store` and the registry) reach content only through a storage; `FileSystemStorage` is the first one.
///
/// The requirements assume only what an S3-compatible object store offers, so that several servers can share
/// one bucket: whole-object create and replace, ranged reads, listing, delete, and a conditional write (ETag
/// or generation match) for `index.json`. No hard links, no locks, no rename of a visible object: an
/// implementation that has them (the file system) uses them as its own optimisations.
///
/// Invariants every implementation keeps:
/// - A blob is visible under its digest only once its whole content is stored and verified: readers never see
///   partial or unverified content (`makeIngest`, `commit`).
/// - A blob's content never changes while visible (content addressing); it may be deleted.
/// - `index.json` changes only by compare-and-swap against the version the writer read, so two writers never
///   lose each other's changes (`replaceIndex`).
public protocol BlobStorage: Sendable {
    // MARK: Blobs

    /// The size of a stored blob, without reading it (one metadata lookup: `stat`, `HEAD`).
    /// - Returns: nil when the blob is not stored.
    func size(of digest: Digest) -> Int64?

    /// Opens a stored blob for ranged reads. The handle keeps reading the version it opened, even when the blob
    /// is deleted or replaced meanwhile (an open file; an object store's `GET` with `If-Match`).
    /// - Throws: `LayoutError.blobNotFound` when it is not stored; I/O errors.
    func open(_ digest: Digest) throws(LayoutError) -> any BlobHandle

    /// Starts a new blob: written to temporary space (never visible under `blobs/`), hashed with `algorithm`
    /// while written; `BlobIngest.finish` verifies it and makes it durable, `commit` makes it visible.
    /// - Throws: I/O errors.
    func makeIngest(algorithm: DigestAlgorithm) throws(LayoutError) -> any BlobIngest

    /// The one commit step of every writer: makes a verified, durable staged blob visible under its digest, and
    /// consumes the staged content. Idempotent: when the blob is already stored the staged copy may be dropped
    /// instead (content addressing makes both equal). The blob comes out young for gc's grace period.
    /// - Parameters:
    ///   - location: where the staged content waits (a name this storage gave, e.g. a temporary file).
    ///   - digest: its verified digest.
    ///   - size: its verified size.
    /// - Throws: I/O errors; nothing becomes visible then.
    func commit(staged location: String, digest: Digest, size: Int64) throws(LayoutError)

    /// Drops staged content that will not be committed. Best effort; never throws.
    func discard(staged location: String)

    /// When the blob was last stored or refreshed here (gc spares blobs younger than its grace period: a push in
    /// flight writes blobs before the manifest that references them is listed).
    /// - Returns: nil when the blob is not stored.
    func modificationTime(of digest: Digest) -> Date?

    /// Makes a blob that `source` holds present here without copying its bytes, when both share them (two
    /// repositories of one bucket). The default shares nothing.
    /// - Returns: whether the blob is now present; false when the caller must copy it.
    /// - Throws: I/O errors.
    func adopt(_ digest: Digest, size: Int64, from source: any BlobStorage) throws(LayoutError) -> Bool

    /// A URL a client can read the blob from directly for `seconds` (an object store's presigned `GET`), for a
    /// registry's redirect; nil when the storage has none (the default) or does not hold the blob.
    /// - Throws: I/O errors finding out whether it holds the blob.
    func directURL(of digest: Digest, validFor seconds: Int) throws(LayoutError) -> String?

    /// Deletes a blob; succeeds when it is already gone.
    /// - Throws: I/O errors.
    func delete(_ digest: Digest) throws(LayoutError)

    /// Every stored blob (in no particular order).
    func list() -> [Digest]

    // MARK: index.json

    /// The current version of `index.json` without reading it (one metadata lookup), for caches: content read
    /// with this version stays valid while it is unchanged.
    /// - Returns: nil when there is no `index.json`.
    func indexVersion() -> IndexVersion?

    /// Reads `index.json` at most `limit` bytes long, with the version of exactly the bytes returned.
    /// - Returns: nil when there is no `index.json`.
    /// - Throws: `LayoutError.tooLarge` past `limit`; I/O errors.
    func readIndex(limit: Int) throws(LayoutError) -> (data: Data, version: IndexVersion)?

    /// Replaces `index.json` with `data` atomically (readers see the old bytes or the new), only if it is still
    /// at `expected` (nil: only if there is none yet).
    /// - Returns: the new version, or nil when another writer changed it first (read again and retry).
    /// - Throws: I/O errors.
    func replaceIndex(with data: Data, ifVersion expected: IndexVersion?) throws(LayoutError) -> IndexVersion?

    /// Runs `body`, a read-modify-write of this repository, while other writers that also call this wait. An
    /// optimisation only: correctness rests on `replaceIndex`'s compare-and-swap, and a storage without locks
    /// runs `body` at once (the default). The file system takes an exclusive `flock`, which gc also takes for
    /// its sweep, so that a manifest checked and listed under it cannot lose a blob to a concurrent sweep.
    /// Reentrant.
    func serializingWriters<T>(_ body: () throws(LayoutError) -> T) throws(LayoutError) -> T
}

extension BlobStorage {
    public func adopt(_ digest: Digest, size: Int64, from source: any BlobStorage) throws(LayoutError) -> Bool {
        false
    }

    public func directURL(of digest: Digest, validFor seconds: Int) throws(LayoutError) -> String? { nil }

    public func serializingWriters<T>(_ body: () throws(LayoutError) -> T) throws(LayoutError) -> T { try body() }
}

/// An opened blob: its size and ranged reads of the version opened.
public protocol BlobHandle: Sendable {
    /// The blob's size.
    var size: Int64 { get }

    /// Reads up to `buffer.count` bytes at `offset`.
    /// - Returns: the bytes read; 0 at the end of the blob.
    /// - Throws: I/O errors.
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws(LayoutError) -> Int

    /// The open file behind the handle, for zero-copy transfers (`sendfile`); nil when the storage has none (an
    /// object store), in which case callers stream through `read(into:at:)`.
    var file: FileDescriptor? { get }
}

/// A blob being written: bytes are hashed as they are stored in temporary space.
public protocol BlobIngest: AnyObject {
    /// Bytes written so far.
    var count: Int64 { get }

    /// Appends bytes.
    /// - Throws: I/O errors.
    func write(_ bytes: UnsafeRawBufferPointer) throws(LayoutError)

    /// Makes the content durable and checks it (`StagedBlob.verify`); the result is committed by
    /// `StagedBlob.commit`.
    /// - Throws: `LayoutError.sizeMismatch` or `.digestMismatch`; the temporary content is dropped.
    func finish(expected: Digest?, expectedSize: Int64?) throws(LayoutError) -> StagedBlob
}

/// One version of a repository's `index.json`: what a storage compares in `replaceIndex`, and what caches keep
/// beside what they derived from the index. Opaque: only equality means anything.
public struct IndexVersion: Hashable, Sendable {
    enum Token: Hashable, Sendable {
        case file(FileStamp)
        case opaque(String)
    }

    let token: Token

    init(file stamp: FileStamp) { token = .file(stamp) }

    /// A version a storage names by a string of its own (an object's ETag or generation).
    public init(opaque: String) { token = .opaque(opaque) }

    /// The string given to `init(opaque:)`; nil for a file's version.
    package var opaque: String? {
        if case .opaque(let text) = token { text } else { nil }
    }
}
