// SPDX-License-Identifier: Apache-2.0
public import Foundation

/// The blob upload sessions of a store, under `ROOT/.ocitool/uploads/<id>/`.
///
/// A session belongs to one request at a time: `start` and `checkout` hand it out, `checkin` takes it back, and
/// a second request for a session in use is refused rather than interleaved. Sessions outlive the process: one
/// that is not in memory is resumed from disk on checkout. A session unused for `expiry` is gone: `checkout`
/// refuses it and `sweep` removes it. Disk work (creating, resuming, finishing) happens outside the actor, which
/// only keeps the table.
///
/// Spec: https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md#pushing-blobs
public actor UploadSessions {
    /// The store the blobs go to.
    public nonisolated let store: Store
    /// How long an unused session lives, in seconds.
    public nonisolated let expiry: Double
    /// Sessions in memory, by id.
    private var sessions: [String: UploadSession] = [:]
    /// Ids handed to a request (or being resumed or swept).
    private var busy: Set<String> = []

    /// - Parameters:
    ///   - store: the store the blobs go to.
    ///   - expiry: seconds after its last use that a session expires.
    public init(store: Store, expiry: Double = 3600) {
        self.store = store
        self.expiry = expiry
    }

    /// `ROOT/.ocitool/uploads`.
    public nonisolated var directory: String { store.root + "/.ocitool/uploads" }

    /// Starts a session for a blob of `repository`, already checked out to the caller.
    /// - Throws: `.layout(.invalidName)` for a name the store cannot hold; I/O errors.
    public nonisolated func start(repository: String, algorithm: DigestAlgorithm = .sha256) async throws(UploadError)
        -> UploadSession
    {
        let session: UploadSession
        do {
            try Store.validate(repository)
            session = try UploadSession.create(
                id: UUID().uuidString.lowercased(), repository: repository, algorithm: algorithm, in: directory)
        } catch {
            throw .layout(error)
        }
        await adopt(session)
        return session
    }

    /// Hands session `id` of `repository` to the caller, resuming it from disk when a previous run left it.
    /// - Throws: `.unknown` when there is no such live session for that repository, `.invalid` when another
    ///   request is using it.
    public nonisolated func checkout(_ id: String, repository: String) async throws(UploadError) -> UploadSession {
        guard UploadSessions.isValidID(id) else { throw .unknown(id) }
        let session: UploadSession
        switch await claim(id) {
        case .busy:
            throw .invalid("blob upload \(id) is in use by another request")
        case .loaded(let loaded):
            session = loaded
        case .onDisk:
            do {
                session = try UploadSession.resume(directory: directory + "/" + id)
            } catch {
                await release(id)
                throw .unknown(id)
            }
            await adopt(session)
        }
        guard session.repository == repository else {
            await release(id)
            throw .unknown(id)
        }
        if Date().timeIntervalSince(session.lastActivity) >= expiry {
            await discard(session)
            throw .unknown(id)
        }
        session.touch()
        return session
    }

    /// Takes a session back from the request that used it; its expiry counts from now (a request may have
    /// streamed into it for longer than the expiry).
    public func checkin(_ session: UploadSession) {
        if busy.contains(session.id), sessions[session.id] === session { session.touch() }
        busy.remove(session.id)
    }

    /// Cancels session `id` of `repository`: its data is removed.
    /// - Throws: as `checkout`.
    public nonisolated func cancel(_ id: String, repository: String) async throws(UploadError) {
        let session = try await checkout(id, repository: repository)
        await discard(session)
    }

    /// Removes a checked-out session and its data.
    public nonisolated func discard(_ session: UploadSession) async {
        UploadSession.removeDirectory(session.directory)
        await forget(session.id)
    }

    /// Finishes a checked-out session: the data is made durable, checked against `expected`, and committed as a
    /// blob of the session's repository (created if needed), deduplicated through the store's pool. The session
    /// is gone afterwards, whether it succeeded or not; on failure nothing becomes visible.
    /// - Returns: the blob's size.
    /// - Throws: `.layout(.digestMismatch)`, `.layout(.invalidName)`, I/O errors.
    @discardableResult
    public nonisolated func complete(_ session: UploadSession, expected: Digest) async throws(UploadError) -> Int64 {
        do throws(LayoutError) {
            let (digest, size) = try session.finish(expected: expected)
            let layout = try store.layout(for: session.repository, create: true)
            try store.commitBlob(file: session.dataPath, digest: digest, size: size, into: layout)
            await discard(session)
            return size
        } catch {
            await discard(session)
            throw .layout(error)
        }
    }

    /// Removes every session unused for `expiry` seconds, in memory or only on disk (left by a previous run),
    /// except those a request is using.
    /// - Returns: the ids removed.
    @discardableResult
    public nonisolated func sweep(now: Date = Date()) async -> [String] {
        var removed: [String] = []
        for id in FileSystem.list(directory).sorted() where UploadSessions.isValidID(id) {
            let lastActivity: Date?
            switch await claim(id) {
            case .busy: continue
            case .loaded(let session): lastActivity = session.lastActivity
            case .onDisk: lastActivity = UploadSession.lastActivity(directory: directory + "/" + id)
            }
            if now.timeIntervalSince(lastActivity ?? .distantPast) >= expiry {
                UploadSession.removeDirectory(directory + "/" + id)
                await forget(id)
                removed.append(id)
            } else {
                await release(id)
            }
        }
        return removed
    }

    /// Ids of the sessions in memory (for tests and diagnostics).
    public func loadedSessions() -> [String] { sessions.keys.sorted() }

    // MARK: - Table

    private enum Claim {
        case busy
        case loaded(UploadSession)
        case onDisk
    }

    private func claim(_ id: String) -> Claim {
        guard busy.insert(id).inserted else { return .busy }
        if let session = sessions[id] { return .loaded(session) }
        return .onDisk
    }

    private func adopt(_ session: UploadSession) {
        sessions[session.id] = session
        busy.insert(session.id)
    }

    private func release(_ id: String) {
        busy.remove(id)
    }

    private func forget(_ id: String) {
        sessions.removeValue(forKey: id)
        busy.remove(id)
    }

    /// Whether `id` is a lowercase UUID (anything else is not a session and never becomes a path).
    static func isValidID(_ id: String) -> Bool {
        let bytes = Array(id.utf8)
        guard bytes.count == 36 else { return false }
        for (offset, byte) in bytes.enumerated() {
            if [8, 13, 18, 23].contains(offset) {
                guard byte == UInt8(ascii: "-") else { return false }
            } else {
                guard (byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x66) else { return false }
            }
        }
        return true
    }
}
