// SPDX-License-Identifier: Apache-2.0
public import CurlTransport
public import Foundation
import Layout

/// How the command line reaches registries: credentials (`--creds`, `--authfile`, the auth files), TLS
/// (`--tls-verify`, `--cert-dir`), `--plain-http`, retries.
public struct RegistryOptions: Sendable {
    /// Explicit credentials (`--creds USER:PASSWORD`); they win over the auth files.
    public var credentials: Credentials?
    /// An auth file to read instead of the default ones (`--authfile`).
    public var authFile: String?
    /// Access the registry anonymously: no explicit credentials, no auth file (`--no-creds`). A token server may
    /// still grant anonymous pulls.
    public var anonymous: Bool
    /// Use `http://` (`--plain-http`).
    public var plainHTTP: Bool
    /// TLS and timeouts.
    public var transport: TransportOptions
    /// Retries after network errors, 5xx and 429.
    public var retry: RetryPolicy
    /// Upload blobs at least this large in chunks of this size (`--upload-chunk-size`), so an interrupted push
    /// resumes after the last chunk the registry kept; nil for `RegistryConfiguration`'s defaults.
    public var uploadChunkSize: Int64?
    /// The S3 service `s3://` references are on (`--s3-endpoint`); nil: AWS's regional endpoint.
    public var s3Endpoint: String?
    /// The region S3 requests are signed for (`--s3-region`); nil: `AWS_REGION`, else `us-east-1`.
    public var s3Region: String?
    /// Where `$REGISTRY_AUTH_FILE`, `$DOCKER_CONFIG`, `$XDG_RUNTIME_DIR` and `$HOME` are read from; credential
    /// helpers run with it (found on its `PATH`).
    public var environment: [String: String]

    public init(
        credentials: Credentials? = nil, authFile: String? = nil, anonymous: Bool = false, plainHTTP: Bool = false,
        transport: TransportOptions = TransportOptions(), retry: RetryPolicy = RetryPolicy(),
        uploadChunkSize: Int64? = nil, environment: [String: String] = ProcessInfo.processInfo.environment
    ) {
        self.credentials = credentials
        self.authFile = authFile
        self.anonymous = anonymous
        self.plainHTTP = plainHTTP
        self.transport = transport
        self.retry = retry
        self.uploadChunkSize = uploadChunkSize
        self.environment = environment
    }

    /// The configuration for one registry: none when `anonymous`, else the explicit credentials, else the first
    /// auth file's credential helper or entry for the host (and repository, for per-repository entries), else
    /// none.
    /// - Throws: `.invalidArgument` when an auth file is malformed, `.credentialHelper` when a helper fails.
    public func configuration(registry: String, repository: String? = nil) throws(SyncError) -> RegistryConfiguration {
        var found = anonymous ? nil : credentials
        if found == nil, !anonymous {
            found = try AuthFile.lookup(host: registry, repository: repository, explicit: authFile, environment: environment)
        }
        var configuration = RegistryConfiguration(
            plainHTTP: plainHTTP, insecure: !transport.tlsVerify || LoopbackAddress.contains(registry: registry),
            transport: transport, credentials: found, retry: retry)
        if let uploadChunkSize, uploadChunkSize > 0 {
            configuration.chunkedUploadThreshold = uploadChunkSize
            configuration.chunkSize = uploadChunkSize
        }
        return configuration
    }

    /// These shared settings with one side's own over them (`--src-*`/`--dest-*` flags, or a side of a sync
    /// configuration): its credentials or auth file win over a shared `anonymous`, its `anonymous` over shared
    /// credentials, and an auth file of its own replaces shared credentials (the file is what the user pointed at).
    public func overridden(
        credentials: Credentials? = nil, authFile: String? = nil, anonymous: Bool? = nil, tlsVerify: Bool? = nil,
        certDirectory: String? = nil
    ) -> RegistryOptions {
        var options = self
        if let anonymous { options.anonymous = anonymous }
        if credentials != nil || authFile != nil { options.anonymous = false }
        if let authFile {
            options.authFile = authFile
            options.credentials = nil
        }
        if let credentials { options.credentials = credentials }
        if let tlsVerify { options.transport.tlsVerify = tlsVerify }
        if let certDirectory { options.transport.certDirectory = certDirectory }
        return options
    }

    /// A client for one registry with `configuration(registry:repository:)`.
    public func client(registry: String, repository: String? = nil) throws(SyncError) -> RegistryClient {
        RegistryClient(registry: registry, configuration: try configuration(registry: registry, repository: repository))
    }
}
