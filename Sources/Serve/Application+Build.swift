// SPDX-License-Identifier: Apache-2.0
import HTTPTypes
public import Hummingbird
import Layout
public import Logging

/// Builds the registry server over a store: OCI Distribution v1.1 under `/v2/`, plus the upload sweeper.
///
/// Run it with `runService()` (SIGINT/SIGTERM shut it down gracefully), or in tests with HummingbirdTesting's
/// `app.test(.router)` / `.live`.
/// - Parameters:
///   - configuration: the store, the address and the limits.
///   - logger: where requests that fail with a server error, and the sweeper, log.
/// - Returns: the application, not yet running.
/// - Throws: `LayoutError` when the store's root cannot be created.
public func buildApplication(_ configuration: ServeConfiguration, logger: Logger) throws
    -> some ApplicationProtocol
{
    let store = Store(root: configuration.root)
    try FileSystem.makeDirectories(store.root)
    let registry = Registry(store: store, configuration: configuration)
    let router = Router(context: RegistryRequestContext.self)
    router.add(middleware: OCIErrorMiddleware())
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
    let sweeper = UploadSweeper(
        sessions: registry.sessions, interval: configuration.effectiveSweepInterval, logger: logger)
    let onServerRunning = configuration.onServerRunning
    return Application(
        router: router,
        configuration: ApplicationConfiguration(
            address: .hostname(configuration.host, port: configuration.port), serverName: configuration.serverName),
        services: [sweeper],
        onServerRunning: { channel in
            await onServerRunning?(channel.localAddress?.port ?? configuration.port)
        },
        logger: logger
    )
}
