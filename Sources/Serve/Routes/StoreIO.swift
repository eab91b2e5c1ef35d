// SPDX-License-Identifier: Apache-2.0
import Layout
import NIOPosix
import ServiceLifecycle

/// The threads that handlers' blocking store work runs on: anything that takes a layout's lock (and may wait as
/// long as online GC or the CLI holds it), fsyncs, hashes or copies a whole blob, or walks the store.
///
/// Request handlers run on Swift concurrency's cooperative pool, one thread per core: a handler blocked there
/// stalls every other request, `/healthz` included. Here a blocked call holds one of `threads` threads of a pool
/// of the application's own (not NIO's shared blocking pool, which bcrypt checks use), so a few requests waiting
/// for a lock leave the rest of the server serving.
///
/// As a service it starts the pool when the application runs and shuts it down when the application stops (it
/// is the application's first service, so the last to stop: requests in flight finish first). Work submitted
/// while the pool is not running (before it starts, after it stops, in tests without a running application)
/// runs on a thread of its own instead.
final class StoreIO: BlockingRunner, Service {
    /// Threads of the pool: enough that requests waiting for locks of a few repositories leave the others
    /// served (threads are created when the pool starts; each idle one costs a little memory, no CPU).
    static let defaultThreads = 16

    /// Of those, how many may wait on one repository's lock at once.
    static let threadsPerRepository = 4

    private let pool: NIOThreadPool
    private let gate = RepositoryGate(limit: StoreIO.threadsPerRepository)

    init(threads: Int = StoreIO.defaultThreads) {
        pool = NIOThreadPool(numberOfThreads: threads)
    }

    /// Runs work that takes `repository`'s lock: at most `threadsPerRepository` such calls hold store threads
    /// for one repository, so one held lock cannot take every thread.
    func perform<Value: Sendable>(
        locking repository: String, _ work: @escaping @Sendable () throws(LayoutError) -> Value
    ) async throws(LayoutError) -> Value {
        try await gate.pass(repository) { () async throws(LayoutError) in try await perform(work) }
    }

    func run<Value: Sendable>(_ work: @escaping @Sendable () -> Value) async -> Value {
        do {
            return try await pool.runIfActive { work() }
        } catch {
            // The pool is not running, or the request was cancelled while the work waited: run it anyway, on
            // a thread of its own (handlers do not expect store work to be skipped halfway).
            return await onOwnThread(work)
        }
    }

    func run() async throws {
        pool.start()
        // Until graceful shutdown (or cancellation); then requests in flight have finished.
        try? await gracefulShutdown()
        try await pool.shutdownGracefully()
    }
}
