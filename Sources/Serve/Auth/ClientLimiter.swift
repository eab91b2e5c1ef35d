// SPDX-License-Identifier: Apache-2.0
import NIOConcurrencyHelpers

/// Per-client limits, keyed by client address: a token bucket for requests, and a sliding window for failed
/// logins. Memory stays bounded: idle clients are forgotten when the table grows.
final class ClientLimiter: Sendable {
    /// What is limited.
    enum Kind: Sendable {
        /// `capacity` tokens, refilled at `rate` per second; each request takes one.
        case tokenBucket(rate: Double, capacity: Int)
        /// At most `limit` events per `window`.
        case window(limit: Int, window: Duration)
    }

    let kind: Kind
    private let clients = NIOLockedValueBox([String: Client]())
    /// Clients kept before idle ones are dropped.
    private let maxClients: Int

    private struct Client {
        var tokens: Double
        var updated: ContinuousClock.Instant
        var events: [ContinuousClock.Instant] = []
    }

    init(_ kind: Kind, maxClients: Int = 10_000) {
        self.kind = kind
        self.maxClients = maxClients
    }

    /// Takes one request from the client's bucket.
    /// - Returns: nil when allowed, else how long until the next request would be.
    func take(_ client: String, now: ContinuousClock.Instant = .now) -> Duration? {
        guard case .tokenBucket(let rate, let capacity) = kind else { return nil }
        return clients.withLockedValue { clients in
            var entry = clients[client] ?? Client(tokens: Double(capacity), updated: now)
            let elapsed = (now - entry.updated).seconds
            entry.tokens = min(Double(capacity), entry.tokens + elapsed * rate)
            entry.updated = now
            defer {
                if clients.count >= maxClients, clients[client] == nil { prune(&clients, now: now) }
                clients[client] = entry
            }
            if entry.tokens >= 1 {
                entry.tokens -= 1
                return nil
            }
            return .seconds((1 - entry.tokens) / rate)
        }
    }

    /// Whether the client is over its failed-login limit.
    /// - Returns: nil when not, else how long until its oldest counted failure expires.
    func blocked(_ client: String, now: ContinuousClock.Instant = .now) -> Duration? {
        guard case .window(let limit, let window) = kind else { return nil }
        return clients.withLockedValue { clients in
            guard var entry = clients[client] else { return nil }
            entry.events.removeAll { now - $0 >= window }
            clients[client] = entry.events.isEmpty ? nil : entry
            guard entry.events.count >= limit, let oldest = entry.events.first else { return nil }
            return window - (now - oldest)
        }
    }

    /// Counts a failed login.
    func record(_ client: String, now: ContinuousClock.Instant = .now) {
        guard case .window(_, let window) = kind else { return }
        clients.withLockedValue { clients in
            var entry = clients[client] ?? Client(tokens: 0, updated: now)
            entry.events.removeAll { now - $0 >= window }
            entry.events.append(now)
            entry.updated = now
            if clients.count >= maxClients, clients[client] == nil { prune(&clients, now: now) }
            clients[client] = entry
        }
    }

    /// Drops clients that would be back at their initial state (full bucket, no recent failures), then, if the
    /// table is still full, the least recently seen half.
    private func prune(_ clients: inout [String: Client], now: ContinuousClock.Instant) {
        switch kind {
        case .tokenBucket(let rate, let capacity):
            clients = clients.filter { $0.value.tokens + (now - $0.value.updated).seconds * rate < Double(capacity) }
        case .window(_, let window):
            clients = clients.filter { entry in entry.value.events.contains { now - $0 < window } }
        }
        if clients.count >= maxClients {
            let keep = clients.sorted { $0.value.updated > $1.value.updated }.prefix(maxClients / 2)
            clients = Dictionary(uniqueKeysWithValues: keep.map { ($0.key, $0.value) })
        }
    }
}

extension Duration {
    /// Whole seconds, rounded up (at least 1): a `Retry-After` value.
    var retryAfter: String { String(max(1, Int(seconds.rounded(.up)))) }
}
