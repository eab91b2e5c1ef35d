// SPDX-License-Identifier: Apache-2.0
import Foundation

/// Runs blocking work (curl transfers, file copies) on a bounded number of threads, outside Swift
/// concurrency's cooperative pool.
package enum WorkerPool {
    /// Calls `body` for every item, at most `jobs` at a time (the calling thread is one of the workers), and
    /// returns when all are done. After the first failure no new item starts; that failure is thrown.
    package static func run<Item: Sendable>(
        _ items: [Item], jobs: Int, _ body: @escaping @Sendable (Item) throws -> Void
    ) throws {
        let workers = min(max(1, jobs), items.count)
        guard workers > 1 else {
            for item in items { try body(item) }
            return
        }
        let state = Locked((next: 0, failure: (any Error)?.none))
        let work: @Sendable () -> Void = {
            while true {
                let index = state.withLock { (state) -> Int? in
                    guard state.failure == nil, state.next < items.count else { return nil }
                    defer { state.next += 1 }
                    return state.next
                }
                guard let index else { return }
                do { try body(items[index]) } catch {
                    state.withLock { if $0.failure == nil { $0.failure = error } }
                }
            }
        }
        let group = DispatchGroup()
        for number in 1..<workers {
            group.enter()
            let thread = Thread {
                work()
                group.leave()
            }
            thread.name = "ocitool-worker-\(number)"
            thread.start()
        }
        work()
        group.wait()
        if let failure = state.current.failure { throw failure }
    }
}
