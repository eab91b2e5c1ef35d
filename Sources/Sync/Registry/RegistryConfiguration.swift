// SPDX-License-Identifier: Apache-2.0
public import CurlTransport

/// How a `RegistryClient` talks to one registry.
public struct RegistryConfiguration: Sendable {
    /// Use `http://` instead of `https://` (`--plain-http`).
    public var plainHTTP: Bool
    /// An insecure registry, as docker and containers-image treat one: HTTPS first, and plain HTTP when the
    /// registry does not speak TLS there. Set for `--tls-verify=false` and for loopback addresses (127.0.0.0/8,
    /// `localhost`, `::1`). A certificate that fails verification never falls back.
    public var insecure: Bool
    /// TLS verification and trust, timeouts.
    public var transport: TransportOptions
    /// The credentials to log in with; nil for anonymous access (a token server may still grant pulls).
    public var credentials: Credentials?
    /// Retries after network errors, 5xx and 429.
    public var retry: RetryPolicy
    /// Blobs at least this large are uploaded in chunks (PATCH with Content-Range), so a broken upload resumes
    /// where the registry's upload session ends; smaller blobs go in one PUT.
    public var chunkedUploadThreshold: Int64
    /// The size of each PATCH of a chunked upload.
    public var chunkSize: Int64
    /// Also read cosign's legacy tags (`sha256-<hex>.sig`, `.att`, `.sbom`) as referrers.
    public var cosignTags: Bool
    /// Most pages a listing (tags, catalog, referrers) follows through `Link: <…>; rel="next"`: a registry that
    /// keeps sending new next pages (a loop with changing query strings, a hostile server) gets an error, not a
    /// client that never stops.
    public var maxPages: Int

    public init(
        plainHTTP: Bool = false, insecure: Bool = false, transport: TransportOptions = TransportOptions(),
        credentials: Credentials? = nil,
        retry: RetryPolicy = RetryPolicy(), chunkedUploadThreshold: Int64 = 256 << 20, chunkSize: Int64 = 64 << 20,
        cosignTags: Bool = true, maxPages: Int = 10_000
    ) {
        self.plainHTTP = plainHTTP
        self.insecure = insecure
        self.transport = transport
        self.credentials = credentials
        self.retry = retry
        self.chunkedUploadThreshold = chunkedUploadThreshold
        self.chunkSize = max(1, chunkSize)
        self.cosignTags = cosignTags
        self.maxPages = max(1, maxPages)
    }
}
