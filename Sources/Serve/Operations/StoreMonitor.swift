// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
import Logging
import NIOPosix
import ServiceLifecycle

/// The store's health and size: `/readyz` asks whether the root can be read and written; a background service
/// measures the bytes the store's blobs take (each file counted once, however many repositories and the pool
/// link it) every `interval`, for the `ocitool_store_size_bytes` gauge. Nothing is measured per request.
struct StoreMonitor: Service {
    let store: Store
    let interval: Duration
    let metrics: ServeMetrics
    let logger: Logger

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                let store = self.store
                let (bytes, blobs) = await onOwnThread { StoreMonitor.measure(store) }
                metrics.storeSize(bytes: bytes, blobs: blobs)
                logger.trace("measured the store", metadata: ["bytes": "\(bytes)", "blobs": "\(blobs)"])
                try await Task.sleep(for: interval)
            }
        }
    }

    /// Bytes and number of distinct blob files in the store: every repository's `blobs/` and the pool, each
    /// file (inode) once.
    static func measure(_ store: Store) -> (bytes: Int64, blobs: Int) {
        var seen = Set<[UInt64]>()
        var bytes: Int64 = 0
        var directories = [store.root + "/.ocitool/pool"]
        directories += store.repositories().map { store.root + "/" + $0 + "/blobs" }
        let files = FileManager.default
        for directory in directories {
            for algorithm in FileSystem.list(directory) {
                let folder = directory + "/" + algorithm
                for name in FileSystem.list(folder) {
                    guard let attributes = try? files.attributesOfItem(atPath: folder + "/" + name),
                        attributes[.type] as? FileAttributeType == .typeRegular,
                        let inode = (attributes[.systemFileNumber] as? NSNumber)?.uint64Value,
                        let device = (attributes[.systemNumber] as? NSNumber)?.uint64Value,
                        let size = (attributes[.size] as? NSNumber)?.int64Value,
                        seen.insert([device, inode]).inserted
                    else { continue }
                    bytes += size
                }
            }
        }
        return (bytes, seen.count)
    }

    /// Whether the store's root can be listed and written (a probe file is created and removed under
    /// `ROOT/.ocitool/`).
    static func isReady(_ store: Store) -> Bool {
        let files = FileManager.default
        guard files.isReadableFile(atPath: store.root), files.isWritableFile(atPath: store.root),
            (try? files.contentsOfDirectory(atPath: store.root)) != nil
        else { return false }
        let directory = store.root + "/.ocitool"
        guard (try? FileSystem.makeDirectories(directory)) != nil else { return false }
        let probe = directory + "/ready-\(UUID().uuidString)"
        guard files.createFile(atPath: probe, contents: Data("ok".utf8)) else { return false }
        return (try? files.removeItem(atPath: probe)) != nil
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
