// SPDX-License-Identifier: Apache-2.0
import Synchronization

/// Idle curl handles of one client, kept so their connections are reused: each call borrows one (a new one when
/// all are busy) and returns it afterwards, so a client serves many threads at once.
package final class CurlHandlePool: Sendable {
    private let idle = Mutex<[CurlEasy]>([])

    package init() {}

    /// Runs `body` with a handle of the pool.
    /// - Throws: `body`'s errors, or `failure(error)` when libcurl cannot allocate a new handle.
    package func withHandle<T, Failure: Error>(
        _ body: (CurlEasy) throws(Failure) -> T, failure: (CurlError) -> Failure
    ) throws(Failure) -> T {
        let easy: CurlEasy
        if let handle = idle.withLock({ $0.popLast() }) {
            easy = handle
        } else {
            do throws(CurlError) { easy = try CurlEasy() } catch { throw failure(error) }
        }
        defer { idle.withLock { $0.append(easy) } }
        return try body(easy)
    }
}
