// SPDX-License-Identifier: Apache-2.0
import HTTPTypes
public import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Layout
public import Logging
import NIOCore
import ServiceLifecycle

/// Builds the registry server over a store: OCI Distribution v1.1 under `/v2/`, `/token` when the token
/// service is on, `/healthz`, `/readyz` and `/metrics`, and the background services (the store I/O threads,
/// upload sweeper, store size monitor, online GC). HTTP/1 connections idle for `idleTimeout` are closed.
///
/// Middlewares, outermost first: access log and metrics (request id), the OCI error envelope, the per-client
/// rate limit, authentication and access control.
///
/// Run it with `runService()` (SIGINT/SIGTERM shut it down gracefully: the listener closes, requests in
/// flight finish), or in tests with HummingbirdTesting's `app.test(.router)` / `.live`.
/// - Parameters:
///   - configuration: the store, the address, the limits, auth, TLS and the rest (checked with `validate()`).
///   - logger: where access lines, failed logins, server errors and the background services log.
/// - Returns: the application, not yet running.
/// - Throws: `ConfigurationError` for a configuration `validate()` refuses, files that cannot be loaded, or a
///   bucket (`storage`) that cannot be used; `LayoutError` when the store's root cannot be created.
public func buildApplication(
    _ configuration: ServeConfiguration, logger: Logger
) throws
    -> some ApplicationProtocol
{
    try configuration.validate()
    let metrics = ServeMetrics()
    let store = try configuration.makeStore(observeCache: { metrics.blobCache($0) })
    try store.createRoot()
    let io = StoreIO()
    let trust = configuration.trust.isEmpty ? nil : try TrustPolicy(configuration.trust)
    let scanning = configuration.scan.map { ScanService(settings: $0, store: store, metrics: metrics, logger: logger) }
    var building = Registry(store: store, configuration: configuration, io: io, trust: trust)
    building.scanning = scanning
    let registry = building
    let tls = try configuration.makeTLSConfiguration()
    let authenticator = try configuration.auth.map { (auth) throws(ConfigurationError) in
        try Authenticator(auth, scheme: tls == nil ? "http" : "https", logger: logger, metrics: metrics)
    }
    let router = Router(context: RegistryRequestContext.self)
    router.add(middleware: AccessLogMiddleware(logger: configuration.accessLog ? logger : nil, metrics: metrics))
    router.add(middleware: OCIErrorMiddleware())
    if let rateLimit = configuration.rateLimit {
        let limiter = ClientLimiter(.tokenBucket(rate: rateLimit.requestsPerSecond, capacity: rateLimit.burst))
        router.add(middleware: RateLimitMiddleware(limiter: limiter, metrics: metrics))
    }
    if let authenticator { router.add(middleware: AuthMiddleware(authenticator: authenticator)) }
    // One catch-all per method: repository names contain '/', so the path is parsed from the right by
    // DistributionRoute rather than by the router (whose mid-path '**' does not backtrack).
    let methods: [HTTPRequest.Method] = [.get, .head, .put, .post, .patch, .delete]
    for method in methods {
        for path in ["/v2", "/v2/**"] {
            router.on(RouterPath(path), method: method) { request, context in
                try await registry.respond(to: request, context: context)
            }
        }
    }
    addOperationsRoutes(to: router, store: store, configuration: configuration, metrics: metrics)
    if let authenticator, configuration.auth?.token != nil {
        router.get("/token") { request, context in try await authenticator.token(request, client: context.client) }
        router.post("/token") { request, context in
            try await authenticator.oauthToken(request, client: context.client)
        }
    }
    // The store I/O threads first: services stop in reverse order, so they stop after the server has finished
    // the requests in flight.
    var services: [any Service] = [
        io,
        UploadSweeper(sessions: registry.sessions, interval: configuration.effectiveSweepInterval, logger: logger)
    ]
    if configuration.metrics.enabled {
        services.append(
            StoreMonitor(
                store: store, interval: configuration.metrics.storeSizeInterval, metrics: metrics, logger: logger))
    }
    if let scanning { services.append(scanning) }
    if let gc = configuration.gc {
        services.append(OnlineGarbageCollector(store: store, options: gc, metrics: metrics, logger: logger))
    }
    let onServerRunning = configuration.onServerRunning
    let idle = configuration.idleTimeout.components
    let idleTimeout: TimeAmount? =
        configuration.idleTimeout > .zero
        ? .nanoseconds(idle.seconds * 1_000_000_000 + idle.attoseconds / 1_000_000_000) : nil
    let http1 = HTTP1Channel.Configuration(
        additionalChannelHandlers: [
            ContinueHandler(credentialsRequired: authenticator != nil), ReadSizeHandler(), ConnectionCloseHandler(),
            MalformedRequestHandler(),
        ],
        idleTimeout: idleTimeout)
    return Application(
        router: router,
        server: try tls.map { try .tls(.http1(configuration: http1), tlsConfiguration: $0) }
            ?? .http1(configuration: http1),
        configuration: ApplicationConfiguration(
            address: .hostname(configuration.host, port: configuration.port), serverName: configuration.serverName),
        services: services,
        onServerRunning: { channel in
            await onServerRunning?(channel.localAddress?.port ?? configuration.port)
        },
        logger: logger
    )
}

/// `/healthz` (200 while the process serves), `/readyz` (200 when the store's root can be read and written,
/// else 503) and, when enabled, `/metrics` (Prometheus text format).
private func addOperationsRoutes(
    to router: Router<RegistryRequestContext>, store: Store, configuration: ServeConfiguration, metrics: ServeMetrics
) {
    for method in [HTTPRequest.Method.get, .head] {
        router.on("/healthz", method: method) { request, _ in
            Response.text("ok\n", status: .ok, head: request.method == .head)
        }
        router.on("/readyz", method: method) { request, _ in
            let ready = await offload { store.isReadyForWrites() }
            return Response.text(
                ready ? "ready\n" : "the store root \(store.root) is not readable and writable\n",
                status: ready ? .ok : .serviceUnavailable, head: request.method == .head)
        }
    }
    if configuration.metrics.enabled {
        router.get("/metrics") { _, _ in
            let bytes = metrics.exposition()
            return Response(
                status: .ok,
                headers: [
                    .contentType: "text/plain; version=0.0.4; charset=utf-8", .contentLength: String(bytes.count),
                ],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
        }
    }
}

extension Response {
    /// A plain-text body (or, for HEAD, only its headers).
    static func text(_ text: String, status: HTTPResponse.Status, head: Bool = false) -> Response {
        let buffer = ByteBuffer(string: text)
        let headers: HTTPFields = [
            .contentType: "text/plain; charset=utf-8", .contentLength: String(buffer.readableBytes),
        ]
        return Response(
            status: status, headers: headers, body: head ? ResponseBody() : ResponseBody(byteBuffer: buffer))
    }
}
