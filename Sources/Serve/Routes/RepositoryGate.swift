// SPDX-License-Identifier: Apache-2.0

/// Lets at most `limit` requests at a time wait for one repository's lock on the store's threads; the others
/// wait here, holding no thread. So a repository that online GC or the CLI keeps locked ties up `limit` store
/// threads at most, and writes to every other repository still find threads free.
actor RepositoryGate {
    let limit: Int
    private var inside: [String: Int] = [:]
    private var waiting: [String: [CheckedContinuation<Void, Never>]] = [:]

    init(limit: Int) { self.limit = max(1, limit) }

    /// Runs `body` once the repository has a free place.
    nonisolated func pass<Value: Sendable, Failure: Error>(
        _ repository: String, _ body: () async throws(Failure) -> Value
    ) async throws(Failure) -> Value {
        await enter(repository)
        do {
            let value = try await body()
            await leave(repository)
            return value
        } catch {
            await leave(repository)
            throw error
        }
    }

    private func enter(_ repository: String) async {
        if inside[repository, default: 0] < limit {
            inside[repository, default: 0] += 1
            return
        }
        await withCheckedContinuation { waiting[repository, default: []].append($0) }
    }

    /// Hands the place to the first waiter, if any (the count stays), else frees it.
    private func leave(_ repository: String) {
        if var queue = waiting[repository], !queue.isEmpty {
            let next = queue.removeFirst()
            waiting[repository] = queue.isEmpty ? nil : queue
            next.resume()
            return
        }
        let count = inside[repository, default: 1] - 1
        inside[repository] = count > 0 ? count : nil
    }
}
