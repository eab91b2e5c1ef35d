// SPDX-License-Identifier: Apache-2.0

extension ServeConfiguration {
    /// The files HTTPS is served with (PEM).
    public struct TLS: Sendable, Equatable {
        /// The certificate chain, leaf first.
        public var certificate: String
        /// The private key of the leaf certificate.
        public var key: String
        /// CA certificates client certificates must chain to; when set, a client without a valid certificate
        /// is refused during the handshake (mutual TLS).
        public var clientCA: String?

        public init(certificate: String, key: String, clientCA: String? = nil) {
            self.certificate = certificate
            self.key = key
            self.clientCA = clientCA
        }
    }

    /// A token bucket per client address: `burst` requests at once, refilled at `requestsPerSecond`.
    public struct RateLimit: Sendable, Equatable {
        /// Sustained requests per second per client.
        public var requestsPerSecond: Double
        /// Requests a client may make at once after being idle.
        public var burst: Int

        /// - Parameters:
        ///   - requestsPerSecond: sustained rate.
        ///   - burst: bucket size (default: twice the rate, at least 1).
        public init(requestsPerSecond: Double, burst: Int? = nil) {
            self.requestsPerSecond = requestsPerSecond
            self.burst = burst ?? max(1, Int((requestsPerSecond * 2).rounded(.up)))
        }
    }

    /// Garbage collection while serving: every `interval`, `collectGarbage` on each repository, then the pool
    /// sweep. The layout lock and the grace period keep pushes in flight safe.
    public struct OnlineGC: Sendable, Equatable {
        /// Time between two collections (the first runs one interval after start).
        public var interval: Duration
        /// Blobs and temporary files younger than this are spared.
        public var grace: Duration
        /// Also drop untagged manifests that are not referrers.
        public var untagged: Bool

        public init(interval: Duration = .seconds(86400), grace: Duration = .seconds(3600), untagged: Bool = false) {
            self.interval = interval
            self.grace = grace
            self.untagged = untagged
        }
    }

    /// Prometheus metrics.
    public struct Metrics: Sendable, Equatable {
        /// Whether `GET /metrics` answers (404 otherwise).
        public var enabled: Bool
        /// How often the store's size is measured (a background walk, never per request).
        public var storeSizeInterval: Duration

        public init(enabled: Bool = true, storeSizeInterval: Duration = .seconds(60)) {
            self.enabled = enabled
            self.storeSizeInterval = storeSizeInterval
        }
    }

    /// How log lines are written.
    public enum LogFormat: String, Sendable, CaseIterable {
        /// `2024-01-01T00:00:00Z info ocitool.serve: message key=value`.
        case text
        /// One JSON object per line.
        case json
    }
}
