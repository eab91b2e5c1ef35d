// SPDX-License-Identifier: Apache-2.0
public import ArgumentParser
import Foundation
import Hummingbird
import Layout
import Logging
public import Serve

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve a store of layouts as an OCI Distribution registry.",
        discussion: """
            Every directory under --root holding an oci-layout file is a repository, named by its path
            (ROOT/team/app is team/app); pushes create layouts the CLI can use, and what the CLI writes is served
            on the next request. SIGINT/SIGTERM stop it gracefully: the listener closes at once and transfers in
            flight finish.

            Settings come from --config FILE (YAML; every flag has a setting there, see the README) and from the
            flags, which override the file. --check-config prints the effective configuration and exits 0, or
            prints one error line and exits 2, without serving.

            Plain HTTP is served only on a loopback address unless --insecure-http is given; elsewhere give a
            certificate (--tls-cert, --tls-key; --tls-client-ca requires client certificates). With --htpasswd
            (bcrypt hashes, 'htpasswd -B'), clients authenticate with Basic credentials, or with tokens from
            /token when --token-service names the service. /healthz, /readyz and /metrics (Prometheus) are
            always open.

            --demo serves a generated image with an SBOM (demo/hello:latest), in a temporary store unless --root
            is given: nothing external is needed.

            --storage s3://BUCKET/PREFIX keeps the repositories in an S3-compatible bucket instead (--s3-endpoint
            for a service other than AWS, addressed path-style; credentials from AWS_ACCESS_KEY_ID and
            AWS_SECRET_ACCESS_KEY, else the shared credentials file and AWS_PROFILE). Several servers may share
            one bucket: tags change by compare-and-swap, so none loses another's push. At start the bucket is
            probed; one that ignores conditional writes is refused unless --single-replica. --root then holds
            only this server's private state (default: under $XDG_STATE_HOME/ocitool/serve/).

            Examples:
              ocitool serve --demo
              ocitool serve --config /etc/ocitool/serve.yaml
              ocitool serve --config serve.yaml --check-config
              ocitool serve --root /srv/registry --host 0.0.0.0 \\
                  --tls-cert cert.pem --tls-key key.pem \\
                  --htpasswd htpasswd --token-service registry.example.com
              skopeo copy --dest-tls-verify=false oci:./app:1.0 \\
                  docker://127.0.0.1:5000/team/app:1.0
              ocitool serve --storage s3://registry/prod \\
                  --s3-endpoint http://rgw.internal:7480 --root /var/lib/ocitool/replica-1
            """.reflowed
    )

    @Option(help: "A YAML configuration file (flags override it).")
    var config: String?

    @Flag(help: "Check the configuration, print the effective one, and exit (0 valid, 2 invalid).")
    var checkConfig = false

    @Option(help: "The store's root directory (created when missing).")
    var root: String?

    @Flag(help: "Serve a generated demo image (demo/hello:latest with an SBOM).")
    var demo = false

    @Option(help: "Keep the repositories in an S3-compatible bucket: s3://BUCKET[/PREFIX].")
    var storage: String?

    @OptionGroup var s3: S3Flags

    @Flag(help: "Serve a bucket that ignores conditional writes: safe only with one server.")
    var singleReplica = false

    @Flag(help: "Answer blob GETs with 307 to a presigned URL: clients read the bucket directly.")
    var s3Redirect = false

    @Option(help: "Keep hot blobs of the bucket in this local directory (with --s3-cache-size).")
    var s3Cache: String?

    @Option(help: "The most the blob cache keeps, e.g. 20GiB.")
    var s3CacheSize: String?

    @Option(help: "The address to listen on (default 127.0.0.1).")
    var host: String?

    @Option(help: "The port to listen on (default 5000; 0 picks a free one).")
    var port: Int?

    @Option(help: "How long an idle upload session lives (e.g. 30m, 1h; default 1h).")
    var uploadExpiry: String?

    @Option(help: "Most blob uploads open at once in the store; more get 429 (default 10000).")
    var maxUploads: Int?

    @Option(help: "Most blob uploads open at once in one repository; more get 429 (default 1000).")
    var maxUploadsPerRepository: Int?

    @Option(help: "Close HTTP connections idle this long (e.g. 30s, 2m; 0: never; default 60s).")
    var idleTimeout: String?

    @Flag(inversion: .prefixedNo, help: "Allow DELETE of manifests, tags and blobs (default on).")
    var delete: Bool?

    @Flag(inversion: .prefixedNo, help: "Refuse every write (push, delete) with 405 UNSUPPORTED.")
    var readOnly: Bool?

    @Option(help: "How much to log (default info).")
    var logLevel: Logger.Level?

    @Option(help: "Log lines as text, or as json (one JSON object per line).")
    var logFormat: ServeConfiguration.LogFormat?

    @Flag(inversion: .prefixedNo, help: "Log one line per request (default on).")
    var accessLog: Bool?

    @Option(help: "An htpasswd file of bcrypt hashes: clients must authenticate.")
    var htpasswd: String?

    @Flag(inversion: .prefixedNo, help: "Let clients without credentials pull (with --htpasswd).")
    var anonymousRead: Bool?

    @Option(help: "Enable the bearer token service at /token for this service name (with --htpasswd).")
    var tokenService: String?

    @Option(help: "The token realm announced to clients (default: <scheme>://<host>/token).")
    var tokenRealm: String?

    @Option(help: "The TLS certificate chain (PEM).")
    var tlsCert: String?

    @Option(help: "The TLS private key (PEM).")
    var tlsKey: String?

    @Option(help: "CA certificates (PEM) client certificates must chain to: mutual TLS.")
    var tlsClientCa: String?

    @Flag(inversion: .prefixedNo, help: "Serve plain HTTP on a non-loopback address.")
    var insecureHttp: Bool?

    @Option(help: "Requests per second per client before 429 (0: no limit).")
    var rateLimit: Double?

    @Option(help: "Requests a client may burst (default twice --rate-limit).")
    var rateBurst: Int?

    @Option(help: "Run garbage collection every DURATION while serving (e.g. 24h; 0: never).")
    var gcInterval: String?

    @Option(help: "Spare blobs younger than DURATION in online GC (default 1h).")
    var gcGrace: String?

    @Flag(inversion: .prefixedNo, help: "Online GC also drops untagged manifests.")
    var gcUntagged: Bool?

    @Flag(inversion: .prefixedNo, help: "Serve Prometheus metrics at /metrics (default on).")
    var metrics: Bool?

    @Flag(help: "Send blobs with sendfile(2) on plain HTTP (measure first: it was slower over loopback here).")
    var sendfile = false

    func validate() throws {
        guard root != nil || demo || config != nil || storage != nil else {
            throw ValidationError("name the store with --root DIR, --storage s3://BUCKET or in --config FILE, or use --demo")
        }
    }

    func run() async throws {
        var configuration: ServeConfiguration
        do {
            configuration = try effectiveConfiguration()
            if configuration.root.isEmpty, demo {
                configuration.root =
                    FileManager.default.temporaryDirectory.appendingPathComponent("ocitool-demo-\(getpid())").path
            }
            if configuration.root.isEmpty, let storage = configuration.storage {
                configuration.root = ServeCommand.defaultStateDirectory(for: storage)
            }
            try configuration.validate()
        } catch {
            Console.error(error.description)
            throw ExitCode(2)
        }
        if checkConfig {
            Console.write(configuration.effectiveYAML)
            return
        }
        let logger = ServeCommand.logger(configuration)
        let root = configuration.root
        // The demo's own temporary store is made silently; a store the user named is created only as mkdir would.
        if (demo && self.root == nil && self.config == nil) || configuration.storage != nil {
            try FileSystem.makeDirectories(root)
        } else {
            try ServeCommand.createStoreIfMissing(root)
        }
        if demo { try DemoContent.install(in: Store(root: root)) }
        let demo = self.demo
        let host = configuration.host
        let scheme = configuration.tls == nil ? "http" : "https"
        configuration.sendfile = sendfile
        let served = configuration.storage?.url ?? root
        configuration.onServerRunning = { port in
            var lines = ["serving \(served) at \(scheme)://\(host):\(port)/v2/"]
            if demo {
                lines += ["try:"] + ServeCommand.demoCommands(registry: "\(host):\(port)", scheme: scheme)
            }
            Console.write(lines.joined(separator: "\n") + "\n")
        }
        do {
            try await buildApplication(configuration, logger: logger).runService()
        } catch {
            guard let failure = ListenError(error, host: host, port: configuration.port) else { throw error }
            let report = ErrorReport(failure)
            report.print()
            throw ExitCode(report.exitCode)
        }
        // A demo store this run made up is removed on shutdown; a --root store is the user's.
        if demo, self.root == nil, self.config == nil { try? FileManager.default.removeItem(atPath: root) }
    }

    /// The configuration file (if any) with the flags given applied over it.
    func effectiveConfiguration() throws(ConfigurationError) -> ServeConfiguration {
        var configuration = ServeConfiguration(root: "")
        if let config { configuration = try ServeConfiguration.load(file: config, over: configuration) }
        if let root { configuration.root = root }
        try applyStorage(to: &configuration)
        if let host { configuration.host = host }
        if let port { configuration.port = port }
        if let uploadExpiry { configuration.uploadExpiry = try ServeCommand.duration(uploadExpiry, "--upload-expiry") }
        if let maxUploads { configuration.maxUploads = maxUploads }
        if let maxUploadsPerRepository { configuration.maxUploadsPerRepository = maxUploadsPerRepository }
        if let idleTimeout { configuration.idleTimeout = try ServeCommand.duration(idleTimeout, "--idle-timeout") }
        if let delete { configuration.deleteEnabled = delete }
        if let readOnly { configuration.readOnly = readOnly }
        if let logLevel { configuration.logLevel = logLevel }
        if let logFormat { configuration.logFormat = logFormat }
        if let accessLog { configuration.accessLog = accessLog }
        if let insecureHttp { configuration.insecureHTTP = insecureHttp }
        if let metrics { configuration.metrics.enabled = metrics }
        try applyAuth(to: &configuration)
        try applyTLS(to: &configuration)
        if let rateLimit {
            configuration.rateLimit =
                rateLimit == 0
                ? nil
                : ServeConfiguration.RateLimit(
                    requestsPerSecond: rateLimit, burst: rateBurst ?? configuration.rateLimit?.burst)
        } else if let rateBurst {
            guard var limit = configuration.rateLimit else {
                throw ConfigurationError("--rate-burst: needs --rate-limit (or rateLimit: in the configuration file)")
            }
            limit.burst = rateBurst
            configuration.rateLimit = limit
        }
        try applyGC(to: &configuration)
        return configuration
    }

    private func applyStorage(to configuration: inout ServeConfiguration) throws(ConfigurationError) {
        if let storage {
            configuration.storage = ServeConfiguration.ObjectStore(url: storage)
        }
        guard s3.s3Endpoint != nil || s3.s3Region != nil || singleReplica || s3Redirect || s3Cache != nil
            || s3CacheSize != nil
        else { return }
        guard var store = configuration.storage else {
            throw ConfigurationError(
                "--s3-endpoint, --s3-region, --single-replica, --s3-redirect and --s3-cache need --storage s3://BUCKET")
        }
        if let endpoint = s3.s3Endpoint { store.endpoint = endpoint }
        if let region = s3.s3Region { store.region = region }
        if singleReplica { store.singleReplica = true }
        if s3Redirect { store.redirect = true }
        if s3Cache != nil || s3CacheSize != nil {
            let size = try s3CacheSize.map { (text) throws(ConfigurationError) -> Int64 in
                guard let bytes = ServeConfiguration.byteCount(text) else {
                    throw ConfigurationError("--s3-cache-size: '\(text)' is not a size (bytes, or e.g. 512MiB, 20GiB)")
                }
                return bytes
            }
            guard let directory = s3Cache ?? store.cache?.directory, let maxSize = size ?? store.cache?.maxSize else {
                throw ConfigurationError("--s3-cache and --s3-cache-size go together")
            }
            store.cache = ServeConfiguration.ObjectStore.Cache(directory: directory, maxSize: maxSize)
        }
        configuration.storage = store
    }

    /// This server's private state for a bucket when no --root names it:
    /// `$XDG_STATE_HOME/ocitool/serve/<bucket>[/<prefix>]` (`~/.local/state` when unset).
    static func defaultStateDirectory(for storage: ServeConfiguration.ObjectStore) -> String {
        let environment = ProcessInfo.processInfo.environment
        let base = environment["XDG_STATE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.local/state"
        let name = storage.url.dropFirst("s3://".count).split(separator: "/").joined(separator: "/")
        return "\(base)/ocitool/serve/\(name)"
    }

    private func applyAuth(to configuration: inout ServeConfiguration) throws(ConfigurationError) {
        if let htpasswd {
            var auth = configuration.auth ?? AuthConfiguration(htpasswd: htpasswd)
            auth.htpasswd = htpasswd
            configuration.auth = auth
        }
        guard anonymousRead != nil || tokenService != nil || tokenRealm != nil else { return }
        guard var auth = configuration.auth else {
            throw ConfigurationError("--anonymous-read, --token-service and --token-realm need --htpasswd")
        }
        if let anonymousRead { auth.anonymousRead = anonymousRead }
        if let tokenService {
            var token = auth.token ?? AuthConfiguration.Token(service: tokenService)
            token.service = tokenService
            auth.token = token
        }
        if let tokenRealm {
            guard auth.token != nil else { throw ConfigurationError("--token-realm: needs --token-service") }
            auth.token?.realm = tokenRealm
        }
        configuration.auth = auth
    }

    private func applyTLS(to configuration: inout ServeConfiguration) throws(ConfigurationError) {
        guard tlsCert != nil || tlsKey != nil || tlsClientCa != nil else { return }
        guard let certificate = tlsCert ?? configuration.tls?.certificate, let key = tlsKey ?? configuration.tls?.key
        else { throw ConfigurationError("--tls-cert and --tls-key: both are needed") }
        configuration.tls = ServeConfiguration.TLS(
            certificate: certificate, key: key, clientCA: tlsClientCa ?? configuration.tls?.clientCA)
    }

    private func applyGC(to configuration: inout ServeConfiguration) throws(ConfigurationError) {
        if let gcInterval {
            let interval = try ServeCommand.duration(gcInterval, "--gc-interval")
            if interval == .zero {
                configuration.gc = nil
            } else {
                var gc = configuration.gc ?? ServeConfiguration.OnlineGC()
                gc.interval = interval
                configuration.gc = gc
            }
        }
        guard gcGrace != nil || gcUntagged != nil else { return }
        guard var gc = configuration.gc else {
            throw ConfigurationError(
                "--gc-grace and --gc-untagged: need --gc-interval (or gc: in the configuration file)")
        }
        if let gcGrace { gc.grace = try ServeCommand.duration(gcGrace, "--gc-grace") }
        if let gcUntagged { gc.untagged = gcUntagged }
        configuration.gc = gc
    }

    private static func duration(_ text: String, _ flag: String) throws(ConfigurationError) -> Duration {
        do {
            return .milliseconds(Int64(try parseDuration(text) * 1000))
        } catch {
            throw ConfigurationError("\(flag): \(error.description)")
        }
    }

    /// The server's logger, in the configured format and level.
    static func logger(_ configuration: ServeConfiguration) -> Logger {
        var logger: Logger
        switch configuration.logFormat {
        case .json: logger = Logger(label: "ocitool.serve") { JSONLogHandler(label: $0) }
        case .text: logger = Logger(label: "ocitool.serve") { StreamLogHandler.standardError(label: $0) }
        }
        logger.logLevel = configuration.logLevel
        return logger
    }
}

extension ServeConfiguration.LogFormat: ExpressibleByArgument {}
