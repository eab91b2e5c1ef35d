// SPDX-License-Identifier: Apache-2.0
import Foundation
import Hummingbird
import HummingbirdTesting
import Layout
import Testing

@testable import Serve

/// The upload session table itself: exclusive use, sweeping around sessions in use, other digest algorithms.
@Suite("Serve: upload session table")
struct UploadSessionsTests {
    @Test func aSessionInUseIsRefusedToASecondRequest() async throws {
        let fixture = ServeFixture()
        defer { fixture.remove() }
        let sessions = UploadSessions(store: fixture.store)
        let session = try await sessions.start(repository: "app")
        await #expect(throws: UploadError.invalid("blob upload \(session.id) is in use by another request")) {
            try await sessions.checkout(session.id, repository: "app")
        }
        await sessions.checkin(session)
        let again = try await sessions.checkout(session.id, repository: "app")
        #expect(again === session)
        await sessions.checkin(again)
    }

    @Test func sweepSparesSessionsInUseAndRecentOnes() async throws {
        let fixture = ServeFixture()
        defer { fixture.remove() }
        let sessions = UploadSessions(store: fixture.store, expiry: 60)
        let inUse = try await sessions.start(repository: "app")
        let idle = try await sessions.start(repository: "app")
        await sessions.checkin(idle)
        let later = Date().addingTimeInterval(120)
        #expect(await sessions.sweep(now: Date()) == [])
        #expect(await sessions.sweep(now: later) == [idle.id])
        #expect(FileSystem.list(sessions.area.location) == [inUse.id])
        await sessions.checkin(inUse)
        #expect(await sessions.sweep(now: later.addingTimeInterval(120)) == [inUse.id])
    }

    @Test func sha512UploadsAndDigestsOfAnotherAlgorithmThanTheSession() async throws {
        let fixture = ServeFixture()
        defer { fixture.remove() }
        let data = randomBytes(5000)
        let hasher = DigestHasher(.sha512)
        hasher.update(data)
        let sha512 = hasher.finalize()
        try await fixture.run { client in
            // A sha512 session.
            let post = try await client.execute(uri: "/v2/app/blobs/uploads/?digest-algorithm=sha512", method: .post)
            #expect(post.status == .accepted)
            let location = try #require(post.headers[.location])
            let put = try await client.execute(uri: "\(location)?digest=\(sha512)", method: .put, body: data.buffer)
            #expect(put.status == .created)
            #expect(try await client.execute(uri: "/v2/app/blobs/\(sha512)", method: .get).body.data == data)
            // A default (sha256) session finished with a sha512 digest: hashed again, accepted.
            let other = try await UploadTests.start(client, "other")
            let finish = try await client.execute(uri: "\(other)?digest=\(sha512)", method: .put, body: data.buffer)
            #expect(finish.status == .created)
            let unknown = try await client.execute(uri: "/v2/app/blobs/uploads/?digest-algorithm=md5", method: .post)
            #expect(unknown.status == .badRequest)
        }
    }

    /// Pieces of every size, in the order a socket delivers them, some only valid during the call and some the
    /// session may keep: small ones are gathered, large kept ones are written as they are (behind the hashing),
    /// after what was gathered before them. The blob is the pieces in order.
    @Test func piecesOfMixedSizesMakeTheBlobInOrder() async throws {
        let fixture = ServeFixture()
        defer { fixture.remove() }
        let sessions = UploadSessions(store: fixture.store)
        let session = try await sessions.start(repository: "app")
        let sizes = [10, 300_000, 70_000, 70_000, 1 << 20, 0, 5, 2 << 20, 131_072, 3, 400_000, 500_000, 131_071, 7]
        var blob = Data()
        for (index, size) in sizes.enumerated() {
            let piece = randomBytes(size)
            if index.isMultiple(of: 3) {
                try piece.withBytes { (bytes) throws(LayoutError) in try session.append(bytes) }
            } else {
                try session.append([UInt8](piece))
            }
            blob.append(piece)
            #expect(session.offset == Int64(blob.count))
        }
        let digest = Digest.sha256(of: blob)
        #expect(try await sessions.complete(session, expected: digest) == Int64(blob.count))
        let size = try #require(fixture.store.layout(for: "app").blobSize(digest))
        #expect(size == Int64(blob.count))
        let file = try #require(FileManager.default.contents(atPath: fixture.store.layout(for: "app").blobPath(digest)))
        #expect(file == blob)
    }

    /// A write that fails behind the hashing, in a request that then ends without finding out (its body broke
    /// off): the session is discarded when it is handed back, so no later request appends to a file with a hole
    /// (which a matching digest would then commit). `/dev/full` stands for a full disk.
    @Test func aSessionWhoseWriteFailedIsDiscardedWhenHandedBack() async throws {
        let fixture = ServeFixture()
        defer { fixture.remove() }
        let sessions = UploadSessions(store: fixture.store)
        let session = try await sessions.start(repository: "app")
        await sessions.checkin(session)
        let data = sessions.area.location + "/" + session.id + "/data"
        try FileManager.default.removeItem(atPath: data)
        try FileManager.default.createSymbolicLink(atPath: data, withDestinationPath: "/dev/full")

        let again = try await sessions.checkout(session.id, repository: "app")
        #expect(again === session)
        // Queued: the failure is not known yet, or is thrown at once; either way the request then ends.
        try? again.append([UInt8](repeating: 7, count: 300_000))
        await sessions.checkin(again)

        await #expect(throws: UploadError.unknown(session.id)) {
            try await sessions.checkout(session.id, repository: "app")
        }
        #expect(!FileManager.default.fileExists(atPath: sessions.area.location + "/" + session.id))
    }

    /// A request for a session left by a previous run, while the sweeper is reading that session's age from disk:
    /// the request gets the session (the sweeper only looks), where it used to get 400 "in use by another
    /// request" (a client resuming right after a restart could hit that).
    @Test func aRequestWhileTheSweeperLooksAtTheSessionGetsIt() async throws {
        let fixture = ServeFixture()
        defer { fixture.remove() }
        let first = UploadSessions(store: fixture.store)
        let session = try await first.start(repository: "app")
        await first.checkin(session)

        // A new run: its runner holds the sweeper's second disk call (the session's age) until released.
        let runner = HeldCallRunner(held: 2)
        let sessions = UploadSessions(store: fixture.store, runner: runner)
        let sweep = Task { await sessions.sweep() }
        await runner.entered()
        let resumed = try await sessions.checkout(session.id, repository: "app")
        #expect(resumed.id == session.id)
        await sessions.checkin(resumed)
        runner.release()
        #expect(await sweep.value == [])
        #expect(await sessions.loadedSessions() == [session.id])
    }
}

/// Runs work in place, except call number `held`, which waits until `release()` (`entered()` returns once it
/// waits).
private final class HeldCallRunner: BlockingRunner, @unchecked Sendable {
    private let held: Int
    private let lock = NSLock()
    private var calls = 0
    private var waiting: CheckedContinuation<Void, Never>?
    private var released = false
    private let arrival: AsyncStream<Void>
    private let arrived: AsyncStream<Void>.Continuation

    init(held: Int) {
        self.held = held
        (arrival, arrived) = AsyncStream.makeStream()
    }

    func run<Value: Sendable>(_ work: @escaping @Sendable () -> Value) async -> Value {
        let number = lock.withLock {
            calls += 1
            return calls
        }
        if number == held {
            await withCheckedContinuation { continuation in
                let go = lock.withLock {
                    if released { return true }
                    waiting = continuation
                    return false
                }
                arrived.yield()
                if go { continuation.resume() }
            }
        }
        return work()
    }

    func entered() async {
        var iterator = arrival.makeAsyncIterator()
        _ = await iterator.next()
    }

    func release() {
        let continuation = lock.withLock {
            released = true
            defer { waiting = nil }
            return waiting
        }
        continuation?.resume()
    }
}
