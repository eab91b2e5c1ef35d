// SPDX-License-Identifier: Apache-2.0
public import Foundation

/// The blob upload sessions of a store, kept in its `UploadArea`: `ROOT/.ocitool/uploads/<id>/`, or the bucket
/// of a store whose repositories are there (so that every server of the store can take a session on).
///
/// A session belongs to one request at a time: `start` and `checkout` hand it out, `checkin` takes it back, and
/// a second request for a session in use is refused rather than interleaved. Sessions outlive the process: one
/// that is not in memory is resumed from the area on checkout, and one that is is brought up to date with what
/// other servers did to it (`UploadSession.refresh`). A session unused for `expiry` is gone: `checkout`
/// refuses it and `sweep` removes it. At most `limits` sessions are open at once (`start` refuses more with
/// `.tooMany`).
///
/// Storage work (creating, resuming, finishing, removing, sweeping) happens outside the actor, which only keeps the
/// table, and on `runner`: a server passes a thread pool of its own there, so that fsyncs, object-store requests
/// and the re-hashing of a resumed upload never hold up Swift concurrency's threads.
///
/// Spec: https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md#pushing-blobs
public actor UploadSessions {
    /// The store the blobs go to.
    public nonisolated let store: Store
    /// Where the sessions keep their data.
    public nonisolated let area: any UploadArea
    /// How long an unused session lives, in seconds.
    public nonisolated let expiry: Double
    /// The most sessions open at once.
    public nonisolated let limits: UploadLimits
    /// Where storage work runs.
    public nonisolated let runner: any BlockingRunner
    /// Sessions in memory, by id.
    private var sessions: [String: any UploadSession] = [:]
    /// Ids handed to a request (or being resumed, or removed by the sweeper).
    private var busy: Set<String> = []
    /// Of those, the expired ones the sweeper is removing (a request for one finds it unknown, not in use).
    private var removing: Set<String> = []
    /// Open sessions (in memory, or being started), in all and by repository.
    private var open = 0
    private var openByRepository: [String: Int] = [:]

    /// - Parameters:
    ///   - store: the store the blobs go to.
    ///   - expiry: seconds after its last use that a session expires.
    ///   - limits: the most sessions open at once (default: `UploadLimits()`).
    ///   - runner: where disk work runs (default: in place).
    public init(
        store: Store, expiry: Double = 3600, limits: UploadLimits = UploadLimits(),
        runner: any BlockingRunner = InlineRunner()
    ) {
        self.store = store
        self.area = store.uploadArea
        self.expiry = expiry
        self.limits = limits
        self.runner = runner
    }

    /// Starts a session for a blob of `repository`, already checked out to the caller.
    /// - Throws: `.layout(.invalidName)` for a name the store cannot hold; `.tooMany` past `limits`; I/O errors.
    public nonisolated func start(repository: String, algorithm: DigestAlgorithm = .sha256) async throws(UploadError)
        -> any UploadSession
    {
        do { try Store.validate(repository) } catch { throw .layout(error) }
        try await reserve(repository)
        let (id, area) = (UUID().uuidString.lowercased(), self.area)
        let session: any UploadSession
        do {
            session = try await runner.perform { () throws(LayoutError) in
                try area.create(id: id, repository: repository, algorithm: algorithm)
            }
        } catch {
            await count(repository, -1)
            throw .layout(error)
        }
        await adopt(session, counted: true)
        return session
    }

    /// Hands session `id` of `repository` to the caller, resuming it from the area when it is not in memory
    /// (another server or a previous run left it), and bringing it up to date when it is.
    /// - Throws: `.unknown` when there is no such live session for that repository, `.invalid` when another
    ///   request is using it, `.layout` when the area could not say (an object store unreachable).
    public nonisolated func checkout(_ id: String, repository: String) async throws(UploadError) -> any UploadSession {
        guard UploadSessions.isValidID(id) else { throw .unknown(id) }
        let session: any UploadSession
        switch await claim(id) {
        case .busy:
            throw .invalid("blob upload \(id) is in use by another request")
        case .removing:
            throw .unknown(id)
        case .loaded(let loaded):
            let current: Result<Bool, LayoutError> = await runner.run {
                Result { () throws(LayoutError) in try loaded.refresh() }
            }
            switch current {
            case .success(true):
                session = loaded
            case .success(false):
                await forget(id)
                throw .unknown(id)
            case .failure(let error):
                await release(id)
                throw .layout(error)
            }
        case .inArea:
            let area = self.area
            let resumed: (any UploadSession)?
            do {
                // Hashes or fetches what the session holds so far: off the caller's thread.
                resumed = try await runner.perform { () throws(LayoutError) in try area.resume(id: id) }
            } catch {
                await release(id)
                throw .layout(error)
            }
            guard let resumed else {
                await release(id)
                throw .unknown(id)
            }
            session = resumed
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
        session.touch(Date())
        return session
    }

    /// Takes a session back from the request that used it; its expiry counts from now (a request may have
    /// streamed into it for longer than the expiry). The session lets go of its file and buffer until the next
    /// request (the writes still queued finish on the runner's threads, not on this actor). A session whose
    /// write failed is discarded: its file lacks bytes its hash covers.
    public nonisolated func checkin(_ session: any UploadSession) async {
        guard await runner.run({ session.idle() }) else { return await discard(session) }
        await returned(session)
    }

    /// Cancels session `id` of `repository`: its data is removed.
    /// - Throws: as `checkout`.
    public nonisolated func cancel(_ id: String, repository: String) async throws(UploadError) {
        let session = try await checkout(id, repository: repository)
        await discard(session)
    }

    /// Removes a checked-out session and its data (unless another server took the session over meanwhile: its
    /// data is theirs then, and only this server's copy goes).
    public nonisolated func discard(_ session: any UploadSession) async {
        if session.ownsStoredData {
            let (area, id) = (self.area, session.id)
            await runner.run { area.remove(id: id) }
        }
        await forget(session.id)
    }

    /// Finishes a checked-out session: the data is made durable, checked against `expected`, and committed as a
    /// blob of the session's repository (created if needed) by the same commit step as every other writer
    /// (`UploadSession.complete`). The session is gone afterwards, whether it succeeded or not; on failure
    /// nothing becomes visible.
    /// - Returns: the blob's size.
    /// - Throws: `.layout(.digestMismatch)`, `.layout(.invalidName)`, I/O errors.
    @discardableResult
    public nonisolated func complete(_ session: any UploadSession, expected: Digest) async throws(UploadError)
        -> Int64
    {
        // The fsync or upload of the data (and a second hash when `expected` uses another algorithm): off the
        // caller's thread.
        let store = self.store
        let result = await runner.run {
            Result { () throws(LayoutError) in try session.complete(expected: expected, into: store) }
        }
        await discard(session)
        do { return try result.get() } catch { throw .layout(error) }
    }

    /// Removes every session unused for `expiry` seconds, in memory or only in the area (left by a previous run
    /// or another server), except those a request here is using; then the area's leftovers as old.
    /// - Returns: the ids removed.
    @discardableResult
    public nonisolated func sweep(now: Date = Date()) async -> [String] {
        var removed: [String] = []
        let (area, expiry) = (self.area, self.expiry)
        guard let stored = await runner.run({ try? area.sessions() }) else { return [] }
        for (id, stored) in stored where UploadSessions.isValidID(id) {
            // Looked at without claiming it, so that a request coming meanwhile is not turned away. The area's
            // time counts too: another server may have used the session since this one did.
            let lastActivity: Date?
            switch await look(at: id) {
            case .inUse: continue
            case .loaded(let activity): lastActivity = max(activity, stored ?? activity)
            case .inArea: lastActivity = stored
            }
            guard now.timeIntervalSince(lastActivity ?? .distantPast) >= expiry,
                await claimForRemoval(id, now: now)
            else { continue }
            await runner.run { area.remove(id: id) }
            await forget(id)
            removed.append(id)
        }
        _ = await runner.run { area.sweepLeftovers(olderThan: expiry, now: now) }
        return removed
    }

    /// Ids of the sessions in memory (for tests and diagnostics).
    public func loadedSessions() -> [String] { sessions.keys.sorted() }

    // MARK: - Table

    private enum Claim {
        case busy
        case removing
        case loaded(any UploadSession)
        case inArea
    }

    private func claim(_ id: String) -> Claim {
        if removing.contains(id) { return .removing }
        guard busy.insert(id).inserted else { return .busy }
        if let session = sessions[id] { return .loaded(session) }
        return .inArea
    }

    /// Counts a session about to start, unless that would pass `limits`.
    private func reserve(_ repository: String) throws(UploadError) {
        guard open < limits.sessions else {
            throw .tooMany(
                "the registry has \(open) blob uploads open, the most it allows: finish or cancel some, or retry later")
        }
        let inRepository = openByRepository[repository, default: 0]
        guard inRepository < limits.sessionsPerRepository else {
            throw .tooMany(
                "repository \(repository) has \(inRepository) blob uploads open, the most it allows: finish or cancel "
                    + "some, or retry later")
        }
        count(repository, 1)
    }

    private func count(_ repository: String, _ change: Int) {
        open += change
        let inRepository = openByRepository[repository, default: 0] + change
        openByRepository[repository] = inRepository > 0 ? inRepository : nil
    }

    /// Puts a session in the table, checked out; `counted` when `reserve` counted it already.
    private func adopt(_ session: any UploadSession, counted: Bool = false) {
        if sessions.updateValue(session, forKey: session.id) == nil, !counted { count(session.repository, 1) }
        busy.insert(session.id)
    }

    private func returned(_ session: any UploadSession) {
        if busy.contains(session.id), sessions[session.id] === session { session.touch(Date()) }
        busy.remove(session.id)
    }

    private enum Sighting {
        case inUse
        case loaded(lastActivity: Date)
        case inArea
    }

    /// What the sweeper sees of session `id`, without claiming it. (A session's last activity is read here, on
    /// the actor, only while no request holds the session: nothing writes it then.)
    private func look(at id: String) -> Sighting {
        if busy.contains(id) { return .inUse }
        if let session = sessions[id] { return .loaded(lastActivity: session.lastActivity) }
        return .inArea
    }

    /// Claims an expired session for the sweeper to remove, unless a request took it or used it since it was
    /// looked at.
    private func claimForRemoval(_ id: String, now: Date) -> Bool {
        guard !busy.contains(id) else { return false }
        if let session = sessions[id], now.timeIntervalSince(session.lastActivity) < expiry { return false }
        busy.insert(id)
        removing.insert(id)
        return true
    }

    private func release(_ id: String) {
        busy.remove(id)
    }

    private func forget(_ id: String) {
        if let session = sessions.removeValue(forKey: id) { count(session.repository, -1) }
        busy.remove(id)
        removing.remove(id)
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
