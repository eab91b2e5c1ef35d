// SPDX-License-Identifier: Apache-2.0

/// Where store work that may block runs: work that takes a layout's lock (waiting as long as another holder
/// keeps it), fsyncs, hashes or copies a whole blob, or walks the store.
///
/// A server hands its handlers' store work to a thread pool of its own through this, so that Swift concurrency's
/// cooperative threads (one per core) never wait on the disk or on a lock. Layout itself has no threads: the
/// default, `InlineRunner`, runs the work in place.
public protocol BlockingRunner: Sendable {
    /// Runs `work` on a thread that may block, and returns its result.
    func run<Value: Sendable>(_ work: @escaping @Sendable () -> Value) async -> Value
}

extension BlockingRunner {
    /// Runs throwing `work` on a thread that may block, keeping its error type.
    public func perform<Value: Sendable, Failure: Error>(
        _ work: @escaping @Sendable () throws(Failure) -> Value
    ) async throws(Failure) -> Value {
        try await run { Result { () throws(Failure) in try work() } }.get()
    }
}

/// Runs blocking work in place, on the caller's thread (for callers without threads of their own to spare,
/// such as the command line).
public struct InlineRunner: BlockingRunner {
    public init() {}

    public func run<Value: Sendable>(_ work: @escaping @Sendable () -> Value) async -> Value { work() }
}
