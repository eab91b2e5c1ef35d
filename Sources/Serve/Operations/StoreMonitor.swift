// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
import Logging
import NIOPosix
import ServiceLifecycle

/// The store's size: a background service asks Layout for the bytes the store's blobs take (`Store.blobUsage`:
/// each blob counted once, however many repositories hold it) every `interval`, for the
/// `ocitool_store_size_bytes` gauge. Nothing is measured per request. (`/readyz` asks `Store.isReadyForWrites`.)
struct StoreMonitor: Service {
    let store: Store
    let interval: Duration
    let metrics: ServeMetrics
    let logger: Logger

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                let store = self.store
                let (bytes, blobs) = await onOwnThread { store.blobUsage() }
                metrics.storeSize(bytes: bytes, blobs: blobs)
                logger.trace("measured the store", metadata: ["bytes": "\(bytes)", "blobs": "\(blobs)"])
                try await Task.sleep(for: interval)
            }
        }
    }
}

/// Runs blocking work (file-system walks, bcrypt) on NIO's blocking thread pool, off the concurrency pool.
/// (Not Dispatch: using Dispatch in this module makes Swift attribute libc's `struct stat` to CDispatch.)
func offload<Value: Sendable>(_ work: @escaping @Sendable () -> Value) async -> Value {
    do {
        return try await NIOThreadPool.singleton.runIfActive { work() }
    } catch {
        // The pool is shut down only at process exit; run in place then.
        return work()
    }
}

/// Runs long blocking work (a walk or a collection over the whole store) on a thread of its own, so that it
/// never holds up the short jobs of NIO's blocking pool (bcrypt checks, readiness probes).
func onOwnThread<Value: Sendable>(_ work: @escaping @Sendable () -> Value) async -> Value {
    await withCheckedContinuation { continuation in
        Thread { continuation.resume(returning: work()) }.start()
    }
}
