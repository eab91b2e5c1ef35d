// SPDX-License-Identifier: Apache-2.0
import CurlTransport
import Foundation
import Layout

/// A client of one registry (distribution-spec v1.1) over libcurl: manifests, blobs (resumable downloads,
/// chunked and cross-repository uploads), tags, the catalog and referrers, with Basic and Bearer-token
/// authentication and retries.
///
/// Every call blocks its thread until the registry has answered: call it from a thread of your own (the copy
/// engine uses a bounded pool), never from Swift concurrency's cooperative pool. One client may be used from
/// many threads at once: each call borrows a curl handle from the client's pool and returns it afterwards, so
/// connections are kept alive and reused across calls.
///
/// Spec: https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md
public final class RegistryClient: Sendable, CustomStringConvertible {
    /// The registry as users name it: `host[:port]`.
    public let registry: String
    /// The host the API is reached at (`registry-1.docker.io` for Docker Hub).
    public let apiHost: String
    /// How to connect and authenticate.
    public let configuration: RegistryConfiguration
    /// Certificates read from `configuration.transport.certDirectory`.
    let tls: TLSMaterial

    /// Idle curl handles, kept so their connections are reused.
    let handles = CurlHandlePool()
    /// The challenge last seen, the tokens obtained, whether to send Basic credentials.
    let authState = Locked(AuthState())
    /// Held while a token is fetched, so parallel workers needing the same scope fetch it once.
    let tokenLock = NSLock()
    /// Held while the first request learns the registry's challenge.
    let probeLock = NSLock()
    /// Whether an insecure registry turned out to serve plain HTTP (see `RegistryConfiguration.insecure`).
    let fellBackToHTTP = Locked(false)
    /// Repositories whose registry answered the referrers API with 404 (use the fallback tag schema).
    let referrersUnsupported = Locked<Set<String>>([])

    /// - Parameters:
    ///   - registry: `host[:port]` as in `docker://HOST[:PORT]/REPO`; `docker.io` is Docker Hub.
    ///   - configuration: TLS, plain HTTP, credentials, retries.
    /// No request is made until the first call (the certificate directory, if any, is read here).
    public init(registry: String, configuration: RegistryConfiguration = RegistryConfiguration()) {
        self.registry = registry
        self.apiHost = RegistryClient.apiHost(for: registry)
        self.configuration = configuration
        self.tls = TLSMaterial(configuration.transport)
    }

    public var description: String { registry }

    /// `https://HOST/v2/` (or `http://` with `plainHTTP`, or once an insecure registry answered in plain HTTP).
    public var baseURL: String {
        "\(configuration.plainHTTP || fellBackToHTTP.current ? "http" : "https")://\(apiHost)/v2/"
    }

    /// The registry's identity for mounts: the scheme asked for and the API host (`https://HOST:PORT`). Two
    /// clients with one origin reach the same registry, so blobs can be mounted between their repositories.
    public var origin: String { "\(configuration.plainHTTP ? "http" : "https")://\(apiHost)" }

    /// The URL of `path` under a repository: `BASE/NAME/PATH`.
    func url(_ repository: String, _ path: String) -> String { "\(baseURL)\(repository)/\(path)" }

    /// `repository:NAME:pull` (and `,push` when writing).
    static func scope(_ repository: String, push: Bool) -> String {
        "repository:\(repository):\(push ? "pull,push" : "pull")"
    }

    /// Docker Hub's API host for the names it goes by.
    static func apiHost(for registry: String) -> String {
        ["docker.io", "index.docker.io"].contains(registry.lowercased()) ? "registry-1.docker.io" : registry
    }

    /// The repository name a registry expects: Docker Hub's official images live under `library/`.
    public func normalizedRepository(_ repository: String) -> String {
        apiHost == "registry-1.docker.io" && !repository.contains("/") ? "library/\(repository)" : repository
    }

    /// `HOST/REPO` for messages.
    func name(_ repository: String) -> String { "\(registry)/\(repository)" }

    /// Runs `body` with a curl handle of the pool (a new one when all are busy), returned afterwards.
    func withHandle<T>(_ body: (CurlEasy) throws(SyncError) -> T) throws(SyncError) -> T {
        try handles.withHandle(body) { .transfer(host: registry, $0) }
    }
}

/// Authentication state shared by a client's threads.
struct AuthState {
    /// Whether `GET /v2/` has been asked for the challenge.
    var probed = false
    /// The last challenge the registry sent (used to fetch tokens for new scopes without a 401 first).
    var challenge: AuthChallenge?
    /// Send Basic credentials with every request (the registry asked for Basic).
    var basic = false
    /// Bearer tokens by scope set (scopes sorted, space-separated).
    var tokens: [String: BearerToken] = [:]
}

/// A token from the token server and when to stop using it.
struct BearerToken {
    var value: String
    /// The scopes it was asked for.
    var scopes: [String]
    var expires: Date
}
