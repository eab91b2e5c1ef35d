// SPDX-License-Identifier: Apache-2.0
import Layout
import Logging
import ServiceLifecycle

/// A service that removes expired upload sessions (at start, then every `interval`) and pool entries no
/// repository links any more. It stops on graceful shutdown.
struct UploadSweeper: Service {
    let sessions: UploadSessions
    let interval: Duration
    let logger: Logger

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await sweep()
                let removed = await sessions.sweep()
                if !removed.isEmpty {
                    logger.info("removed expired upload sessions", metadata: ["sessions": "\(removed)"])
                }
                try await Task.sleep(for: interval)
            }
        }
    }

    /// Unlinked pool entries (kept as long as sessions, so an in-flight mount finds them). The walk over the pool
    /// runs where the sessions' disk work does (the store I/O threads), not on the cooperative pool.
    private func sweep() async {
        let (store, grace) = (sessions.store, sessions.expiry)
        let removed = await sessions.runner.run { store.sweepPool(grace: grace) }
        if !removed.isEmpty { logger.debug("removed unused pool entries", metadata: ["count": "\(removed.count)"]) }
    }
}
