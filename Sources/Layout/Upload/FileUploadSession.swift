// SPDX-License-Identifier: Apache-2.0
public import Foundation
import Glibc

/// One resumable blob upload kept in a directory of this machine (`FileUploadArea`): `<uploads>/<id>/data`
/// receives the bytes, hashed as they are written, and
/// `<uploads>/<id>/state.json` holds its `UploadState`.
///
/// Each piece is hashed as it arrives and written by a `WriteBehind` meanwhile; small pieces are first gathered
/// into 1 MiB writes. A session that a previous run left behind is resumed by hashing its data once; while the
/// process runs the hasher stays in memory, so no chunk is ever read back.
///
/// An idle session (between requests) holds no file descriptor and no write buffer: the data file is opened on
/// the first write of a request and closed by `idle()` when the request hands the session back, and the buffer is
/// allocated when bytes arrive. So thousands of open sessions cost neither descriptors nor memory.
///
/// Confined to one request at a time: `UploadSessions` hands a session to one request (checkout) and takes it
/// back (checkin). It is `@unchecked Sendable` only so that it can move between those tasks.
public final class FileUploadSession: UploadSession, @unchecked Sendable {
    /// The session id (a lowercase UUID).
    public let id: String
    /// The repository the blob is pushed to.
    public let repository: String
    /// When the session started.
    public let created: Date
    /// The last request that used the session.
    public private(set) var lastActivity: Date
    /// The algorithm the data is hashed with while it arrives.
    public let algorithm: DigestAlgorithm
    /// The session's directory.
    let directory: String
    /// Writes to the data file, open for appending while a request writes (nil while idle).
    private var writer: WriteBehind?
    private let hasher: DigestHasher
    /// Bytes hashed and handed to the writer.
    private var written: Int64
    private var pending: [UInt8] = []
    private var finished = false
    /// A write that failed: the file lacks bytes the hash covers, so the session can never complete. Kept when
    /// the writer goes (between requests), so no later request can append to a file with a hole.
    public private(set) var failure: LayoutError?
    /// The session's directory exists from the start, and only this server uses it.
    public var ownsStoredData: Bool { true }

    /// Largest write the session gathers before it goes to the file.
    static let writeSize = 1 << 20

    /// Smallest piece worth hashing and writing on its own (the server reads up to 256 KiB from a socket at once).
    static let directSize = 128 << 10

    /// Bytes received so far.
    public var offset: Int64 { written + Int64(pending.count) }

    /// The data file.
    var dataPath: String { directory + "/data" }

    private init(state: UploadState, directory: String, hasher: DigestHasher, written: Int64) {
        self.id = state.id
        self.repository = state.repository
        self.created = state.created
        self.lastActivity = state.lastActivity
        self.algorithm = state.algorithm
        self.directory = directory
        self.hasher = hasher
        self.written = written
    }

    /// Starts a session in a new directory `<uploads>/<id>`.
    static func create(id: String, repository: String, algorithm: DigestAlgorithm, in uploads: String)
        throws(LayoutError) -> FileUploadSession
    {
        try FileSystem.makeDirectories(uploads)
        let directory = uploads + "/" + id
        guard mkdir(directory, 0o755) == 0 else { throw .io("create directory", path: directory, errno: errno) }
        do throws(LayoutError) {
            // Created empty and closed at once: it is opened when data arrives.
            _ = try FileDescriptor(path: directory + "/data", flags: O_WRONLY | O_CREAT | O_EXCL, mode: 0o644)
            let state = UploadState(id: id, repository: repository, algorithm: algorithm)
            let session = FileUploadSession(
                state: state, directory: directory, hasher: DigestHasher(algorithm), written: 0)
            try session.saveState()
            return session
        } catch {
            FileUploadSession.removeDirectory(directory)
            throw error
        }
    }

    /// Reopens a session a previous run left in `directory`: its data is hashed once to rebuild the hasher, and
    /// the data file's size is the offset (it may hold more than the state recorded, never less).
    static func resume(directory: String) throws(LayoutError) -> FileUploadSession {
        var state = try readState(directory: directory)
        let hasher = DigestHasher(state.algorithm)
        let reader = try BlobReader(path: directory + "/data")
        var count: Int64 = 0
        try reader.forEachChunk { (chunk) throws(LayoutError) in
            hasher.update(chunk)
            count += Int64(chunk.count)
        }
        if let modified = FileSystem.modificationTime(directory + "/data"), modified > state.lastActivity {
            state.lastActivity = modified
        }
        return FileUploadSession(state: state, directory: directory, hasher: hasher, written: count)
    }

    /// Reads `state.json` of the session in `directory`.
    static func readState(directory: String) throws(LayoutError) -> UploadState {
        let data = try FileSystem.readFile(directory + "/state.json", limit: 64 * 1024)
        do {
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .secondsSince1970
            return try decoder.decode(UploadState.self, from: data)
        } catch {
            throw .invalidLayout(directory, reason: "upload state is malformed: \(error)")
        }
    }

    /// The last activity of a session on disk: its state, or its data when that was written later.
    static func lastActivity(directory: String) -> Date? {
        let data = FileSystem.modificationTime(directory + "/data")
        guard let state = try? readState(directory: directory) else {
            return data ?? FileSystem.modificationTime(directory)
        }
        return max(state.lastActivity, data ?? state.lastActivity)
    }

    /// Appends a piece the session may keep until it is written: one of at least `directSize` bytes is hashed
    /// and queued for writing as it is (after what was gathered before it), without a copy; smaller ones are
    /// gathered.
    /// - Throws: the error of a failed write (the session is then unusable: its hash is ahead of its file).
    public func append(_ piece: some UploadPiece) throws(LayoutError) {
        guard piece.count >= FileUploadSession.directSize else {
            return try piece.withBytes { (bytes) in Result { () throws(LayoutError) in try append(bytes) } }.get()
        }
        precondition(!finished, "FileUploadSession used after finish")
        try writeGathered()
        try hashAndWrite(piece)
    }

    /// Appends bytes that are only valid during the call: they are gathered (copied), then hashed and written in
    /// 1 MiB pieces.
    /// - Throws: the error of a failed write (the session is then unusable).
    public func append(_ bytes: UnsafeRawBufferPointer) throws(LayoutError) {
        precondition(!finished, "FileUploadSession used after finish")
        // The buffer exists only while a request writes (`idle()` frees it).
        if pending.capacity < FileUploadSession.writeSize { pending.reserveCapacity(FileUploadSession.writeSize) }
        pending.append(contentsOf: bytes)
        if pending.count >= FileUploadSession.writeSize { try writeGathered() }
    }

    /// Writes every byte appended so far to the data file, and waits until they are written.
    /// - Throws: the error of a failed write, now or in an earlier request.
    public func flush() throws(LayoutError) {
        if let failure { throw failure }
        do throws(LayoutError) {
            try writeGathered()
            try writer?.drain()
        } catch {
            failure = error
            throw error
        }
    }

    /// Hands the gathered bytes to the writer (which keeps the buffer: the next one is allocated when bytes
    /// arrive).
    private func writeGathered() throws(LayoutError) {
        guard !pending.isEmpty else { return }
        let gathered = pending
        pending = []
        try hashAndWrite(gathered)
    }

    /// Hashes a piece and queues it for writing (the writer writes it while the next piece is hashed).
    private func hashAndWrite(_ piece: some UploadPiece) throws(LayoutError) {
        let writer = try openWriter()
        piece.withBytes { hasher.update($0) }
        written += Int64(piece.count)
        try writer.write(piece)
    }

    /// The writer, with the data file opened for appending if it is not open yet.
    private func openWriter() throws(LayoutError) -> WriteBehind {
        if let failure { throw failure }
        if let writer { return writer }
        let file = try FileDescriptor(path: dataPath, flags: O_WRONLY | O_APPEND)
        let opened = WriteBehind(file: file, size: written)
        writer = opened
        return opened
    }

    /// Lets go of what only a request in progress needs: gathered bytes go to the file, then the file is closed
    /// and the write buffer freed.
    /// - Returns: whether the session can go on (false when a write failed: it must be discarded).
    public func idle() -> Bool {
        try? flush()
        pending = []
        writer = nil
        return failure == nil
    }

    /// Marks the session used at `now`.
    public func touch(_ now: Date = Date()) { lastActivity = now }

    /// Nothing to do: only this server uses the session's directory.
    public func refresh() throws(LayoutError) -> Bool { true }

    /// Makes the data durable, checks it and commits it from the data file (deduplicated through the store's
    /// pool).
    public func complete(expected: Digest, into store: Store) throws(LayoutError) -> Int64 {
        let (digest, size) = try finish(expected: expected)
        let layout = try store.layout(for: repository, create: true)
        try store.commitBlob(file: dataPath, digest: digest, size: size, into: layout)
        return size
    }

    /// Flushes and records the offset and last activity (now) in `state.json` (atomically).
    public func saveState() throws(LayoutError) {
        try flush()
        touch()
        let state = UploadState(
            id: id, repository: repository, algorithm: algorithm, offset: offset, created: created,
            lastActivity: lastActivity)
        let encoder = JSONEncoder.ocitool
        encoder.dateEncodingStrategy = .secondsSince1970
        let data: Data
        do { data = try encoder.encode(state) } catch {
            throw .invalidLayout(directory, reason: "cannot encode upload state: \(error)")
        }
        try FileSystem.writeAtomically(data, to: directory + "/state.json")
    }

    /// Makes the data durable and checks it against `expected`.
    /// - Returns: the digest (equal to `expected`) and size of the data.
    /// - Throws: `LayoutError.digestMismatch`; the session cannot take more data afterwards either way.
    private func finish(expected: Digest) throws(LayoutError) -> (digest: Digest, size: Int64) {
        precondition(!finished, "FileUploadSession finished twice")
        try flush()
        finished = true
        defer { _ = idle() }
        let writer = try openWriter()
        try writer.sync()
        // Belt and braces: the file holds exactly the bytes hashed, or nothing is committed.
        let size = try writer.fileSize()
        guard size == written else {
            throw .invalidLayout(directory, reason: "upload data holds \(size) bytes, \(written) were received")
        }
        let actual: Digest
        if expected.algorithm == algorithm {
            actual = hasher.finalize()
        } else {
            // The client named another algorithm than the one the session hashed with: hash once more.
            let rehash = expected.makeHasher()
            try BlobReader(path: dataPath).forEachChunk { (chunk) throws(LayoutError) in rehash.update(chunk) }
            actual = rehash.finalize()
        }
        try StagedBlob.verify(digest: actual, size: written, expected: expected, expectedSize: nil)
        return (actual, written)
    }

    /// Removes a session directory and everything in it.
    static func removeDirectory(_ directory: String) {
        for name in FileSystem.list(directory) { unlink(directory + "/" + name) }
        rmdir(directory)
    }
}
