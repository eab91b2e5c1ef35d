// SPDX-License-Identifier: Apache-2.0
public import Foundation

/// One resumable blob upload: bytes arrive in order over one or more requests, are hashed as they arrive, and
/// are committed as a blob once the client names the digest (which is always checked against that hash).
///
/// Where the bytes wait between requests is the `UploadArea`'s business: a directory of this machine
/// (`FileUploadSession`) or an object store several servers share (so that the next request may reach another
/// server, or this one after a restart).
///
/// Confined to one request at a time: `UploadSessions` hands a session to one request (checkout) and takes it
/// back (checkin). Implementations are `Sendable` only so that a session can move between those tasks.
public protocol UploadSession: AnyObject, Sendable {
    /// The session id (a lowercase UUID).
    var id: String { get }
    /// The repository the blob is pushed to.
    var repository: String { get }
    /// The algorithm the data is hashed with while it arrives.
    var algorithm: DigestAlgorithm { get }
    /// When a request last used the session.
    var lastActivity: Date { get }
    /// Bytes received so far.
    var offset: Int64 { get }
    /// A failure that left the session unable to go on (a write that failed behind the hashing).
    var failure: LayoutError? { get }
    /// Whether discarding the session must remove data from its area: false when it stored nothing yet, or when
    /// another server changed it since this one loaded it (the data is theirs now: only this copy is dropped).
    var ownsStoredData: Bool { get }

    /// Appends a piece the session may keep until it has stored it (no copy where the storage allows).
    /// - Throws: the error of a failed write (the session is then unusable).
    func append<Piece: UploadPiece>(_ piece: Piece) throws(LayoutError)

    /// Appends bytes that are only valid during the call.
    /// - Throws: the error of a failed write (the session is then unusable).
    func append(_ bytes: UnsafeRawBufferPointer) throws(LayoutError)

    /// Says that the request about to stream in carries the whole blob, whose digest and length (when known) the
    /// client named before its first byte: a session may then send it straight to its place as it arrives. A
    /// hint only (the default ignores it); the data is checked against the digest all the same.
    func expectWhole(_ digest: Digest, length: Int64?)

    /// Makes every byte received so far durable where the session keeps them, with the state that lets the
    /// upload go on from there (the end of a chunk: a `202` promises the client these bytes).
    /// - Throws: I/O errors.
    func saveState() throws(LayoutError)

    /// Brings the session up to date with what other servers did to it since it was loaded.
    /// - Returns: false when it no longer exists (finished or cancelled elsewhere).
    /// - Throws: I/O errors.
    func refresh() throws(LayoutError) -> Bool

    /// Lets go of what only a request in progress needs (files, buffers), keeping what arrived (saved first
    /// where that takes work).
    /// - Returns: whether the session can go on (false when a write failed: it must be discarded).
    func idle() -> Bool

    /// Marks the session used at `now`.
    func touch(_ now: Date)

    /// Verifies the data against `expected` and commits it as a blob of the session's repository in `store`
    /// (created if needed), by the store's one commit step. The session cannot take more data afterwards either
    /// way; on failure nothing becomes visible.
    /// - Returns: the blob's size.
    /// - Throws: `LayoutError.digestMismatch`, `.invalidName`, I/O errors.
    func complete(expected: Digest, into store: Store) throws(LayoutError) -> Int64
}

extension UploadSession {
    public func expectWhole(_ digest: Digest, length: Int64?) {}
}

/// Where a store's upload sessions keep their data between requests.
public protocol UploadArea: Sendable {
    /// Names the area in messages (`ROOT/.ocitool/uploads`, `s3://bucket/prefix/uploads`).
    var location: String { get }

    /// Starts a new session (checked out to the caller).
    /// - Throws: I/O errors.
    func create(id: String, repository: String, algorithm: DigestAlgorithm) throws(LayoutError) -> any UploadSession

    /// Loads a session that an earlier request left (on this server, another one, or before a restart).
    /// - Returns: nil when there is no such session (or what is left of it cannot be read as one).
    /// - Throws: I/O errors (the area could not say).
    func resume(id: String) throws(LayoutError) -> (any UploadSession)?

    /// Every session the area holds, with when it was last used (nil when that cannot be told). Names that are
    /// no session id may be among them: `UploadSessions` skips those.
    /// - Throws: I/O errors.
    func sessions() throws(LayoutError) -> [(id: String, lastActivity: Date?)]

    /// When session `id` was last used, as the area records it; nil when it has no such session.
    func lastActivity(of id: String) -> Date?

    /// Removes a session and all its data. Best effort; never throws.
    func remove(id: String)

    /// Removes what no session owns any more and nothing has touched for `age` seconds (the parts of an
    /// object-store upload a killed server never recorded).
    /// - Returns: how many leftovers were removed.
    func sweepLeftovers(olderThan age: Double, now: Date) -> Int
}

extension UploadArea {
    public func sweepLeftovers(olderThan age: Double, now: Date) -> Int { 0 }
}
