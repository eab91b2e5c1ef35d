// SPDX-License-Identifier: Apache-2.0
import Foundation
public import Layout

/// Runs blocking `work` (starting Ceph, a request to the bucket) on a thread of its own. On the cooperative pool
/// (two threads on a 2-core machine) a test that blocks there stalls every other test of the process.
public func onOwnThread<Value: Sendable>(_ work: @escaping @Sendable () throws -> Value) async throws -> Value {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try work() }) }.start()
    }
}

/// Store work on a thread of its own per call, as a server's thread pool would run it, for tests that drive
/// `UploadSessions` over a bucket.
public struct ThreadRunner: BlockingRunner {
    public init() {}

    public func run<Value: Sendable>(_ work: @escaping @Sendable () -> Value) async -> Value {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: work()) }.start()
        }
    }
}
