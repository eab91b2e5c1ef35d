// SPDX-License-Identifier: Apache-2.0
import Layout
public import Logging

/// Everything `ocitool serve` can be told: where the store is, where to listen, and the registry's limits.
public struct ServeConfiguration: Sendable {
    /// The store's root directory: a directory tree of OCI layouts (created when missing); with `storage`, this
    /// server's private state only.
    public var root: String
    /// Repositories in an S3-compatible bucket instead of under `root`; nil: under `root`.
    public var storage: ObjectStore?
    /// The address to listen on.
    public var host: String
    /// The port to listen on; 0 picks a free one (see `onServerRunning`).
    public var port: Int
    /// How long an unused blob upload session lives before the sweeper removes it.
    public var uploadExpiry: Duration
    /// How often the sweeper looks for expired upload sessions and unused pool entries; nil means a quarter of
    /// `uploadExpiry`, at most one minute.
    public var sweepInterval: Duration?
    /// Most blob upload sessions open at once in the whole store; past it, a new upload gets 429 TOOMANYREQUESTS.
    public var maxUploads = 10_000
    /// Most blob upload sessions open at once in one repository; past it, a new upload there gets 429.
    public var maxUploadsPerRepository = 1_000
    /// How long an HTTP connection may stay idle (no request, or a request body that stopped arriving) before the
    /// server closes it; zero never closes one. A response being sent is never cut.
    public var idleTimeout: Duration = .seconds(60)
    /// Whether DELETE of manifests, tags and blobs is allowed (405 UNSUPPORTED otherwise).
    public var deleteEnabled: Bool
    /// Whether every write (push, delete) is refused with 405 UNSUPPORTED.
    public var readOnly: Bool
    /// Largest manifest accepted by PUT, in bytes (413 past it). Layout never stores more than
    /// `Manifest.maxSize` (4 MiB), whatever this says.
    public var maxManifestSize: Int
    /// Most entries in one page of tags, catalog or referrers; longer lists continue through a `Link` header.
    public var maxPageSize: Int
    /// The `Server` header, if any.
    public var serverName: String?
    /// Called once the server listens, with the port it is bound to (useful with port 0).
    public var onServerRunning: (@Sendable (_ port: Int) async -> Void)?
    /// Authentication (htpasswd, tokens) and access rules; nil serves everyone everything.
    public var auth: AuthConfiguration?
    /// The certificate and key to serve HTTPS with (and a client CA for mutual TLS); nil serves plain HTTP.
    public var tls: TLS?
    /// Where the configuration file names each file it refers to (resolved path → `FILE:LINE:COLUMN`), so that
    /// `validate()` reports a file that cannot be read or parsed at that place.
    public var fileLocations: [String: String] = [:]
    /// Serve plain HTTP on an address that is not loopback (refused otherwise: see `validate()`).
    public var insecureHTTP = false
    /// The trust policy: repositories whose manifests are served only when signed by their keys (403 DENIED
    /// otherwise); the first rule matching a repository applies. Empty: every manifest is served.
    public var trust: [TrustRule] = []
    /// Per-client request rate limit; nil for none.
    public var rateLimit: RateLimit?
    /// Periodic online garbage collection; nil for none.
    public var gc: OnlineGC?
    /// `/metrics` and the store size monitor.
    public var metrics = Metrics()
    /// One log line per request (at info level; health checks and `/metrics` at debug).
    public var accessLog = true
    /// The log level `ocitool serve` logs at.
    public var logLevel: Logger.Level = .info
    /// How `ocitool serve` writes its log: human text or one JSON object per line.
    public var logFormat: LogFormat = .text
    /// Send blobs with `sendfile(2)` on plain HTTP/1 connections instead of streaming 1 MiB reads (see `BlobBody`:
    /// on the Linux VM it was measured on, over loopback, sendfile was slower and cost more CPU).
    public var sendfile = false
    /// Vulnerability scanning of pushed images, the pull policy and the webhook (`scan:`); nil scans nothing.
    public var scan: ScanSettings?

    /// - Parameters:
    ///   - root: the store's root directory.
    ///   - host: the address to listen on (default 127.0.0.1).
    ///   - port: the port (default 5000; 0 for any free port).
    ///   - uploadExpiry: lifetime of an unused upload session (default one hour).
    ///   - sweepInterval: how often expired sessions are looked for (default: derived from `uploadExpiry`).
    ///   - deleteEnabled: allow DELETE (default true).
    ///   - readOnly: refuse every write (default false).
    ///   - maxManifestSize: manifest PUT limit in bytes (default 4 MiB).
    ///   - maxPageSize: longest page of a listing (default 1000).
    ///   - serverName: the `Server` header (default "ocitool").
    ///   - onServerRunning: called with the bound port once the server listens.
    public init(
        root: String, host: String = "127.0.0.1", port: Int = 5000, uploadExpiry: Duration = .seconds(3600),
        sweepInterval: Duration? = nil, deleteEnabled: Bool = true, readOnly: Bool = false,
        maxManifestSize: Int = 4 << 20, maxPageSize: Int = 1000, serverName: String? = "ocitool",
        onServerRunning: (@Sendable (_ port: Int) async -> Void)? = nil
    ) {
        self.root = root
        self.host = host
        self.port = port
        self.uploadExpiry = uploadExpiry
        self.sweepInterval = sweepInterval
        self.deleteEnabled = deleteEnabled
        self.readOnly = readOnly
        self.maxManifestSize = maxManifestSize
        self.maxPageSize = maxPageSize
        self.serverName = serverName
        self.onServerRunning = onServerRunning
    }

    /// The upload session limits in effect.
    var uploadLimits: UploadLimits {
        UploadLimits(sessions: maxUploads, sessionsPerRepository: maxUploadsPerRepository)
    }

    /// The sweep interval in effect.
    var effectiveSweepInterval: Duration {
        if let sweepInterval { return sweepInterval }
        return min(uploadExpiry / 4, .seconds(60))
    }
}

extension Duration {
    /// The duration in seconds.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
