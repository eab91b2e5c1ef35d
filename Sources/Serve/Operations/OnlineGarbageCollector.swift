// SPDX-License-Identifier: Apache-2.0
import Layout
import Logging
import ServiceLifecycle

/// Garbage collection while serving: every `interval`, `collectGarbage` on each repository (under the layout's
/// lock, sparing anything younger than the grace period, so pushes in flight lose nothing), then the pool sweep.
/// A failing repository is logged and skipped. Stops on graceful shutdown.
struct OnlineGarbageCollector: Service {
    let store: Store
    let options: ServeConfiguration.OnlineGC
    let metrics: ServeMetrics?
    let logger: Logger

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: options.interval)
                _ = await collect()
            }
        }
    }

    /// One collection over the whole store, on a thread of its own.
    /// - Returns: the bytes freed.
    @discardableResult
    func collect() async -> Int64 {
        let store = self.store
        let options = GCOptions(grace: options.grace.seconds, untagged: options.untagged)
        let logger = self.logger
        let (removed, freed, failed) = await onOwnThread { () -> (Int, Int64, Bool) in
            var removed = 0
            var freed: Int64 = 0
            var failed = false
            for name in store.repositories() {
                do {
                    let report = try store.layout(for: name).collectGarbage(options)
                    removed += report.removedBlobs.count
                    freed += report.bytesFreed
                    if !report.removedBlobs.isEmpty || !report.droppedEntries.isEmpty {
                        logger.info(
                            "garbage collected",
                            metadata: [
                                "repository": "\(name)", "blobs": "\(report.removedBlobs.count)",
                                "entries": "\(report.droppedEntries.count)", "bytes": "\(report.bytesFreed)",
                            ])
                    }
                } catch {
                    failed = true
                    logger.error("garbage collection failed", metadata: ["repository": "\(name)", "error": "\(error)"])
                }
            }
            do {
                let swept = try store.sweepShared(grace: options.grace)
                if !swept.isEmpty { logger.debug("removed unused shared blobs", metadata: ["count": "\(swept.count)"]) }
            } catch {
                failed = true
                logger.error("sweeping the shared blobs failed", metadata: ["error": "\(error)"])
            }
            return (removed, freed, failed)
        }
        metrics?.gcRun(removedBlobs: removed, bytesFreed: freed, failed: failed)
        return freed
    }
}
