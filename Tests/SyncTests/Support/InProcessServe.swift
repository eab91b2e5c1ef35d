// SPDX-License-Identifier: Apache-2.0
import Foundation
import Logging
import Serve
import ServiceLifecycle
import Sync

/// `ocitool serve` run in this process (`buildApplication` over a temporary store, port 0), for tests that
/// copy through a real peer speaking the referrers API.
final class InProcessServe: Sendable {
    let root: String
    let port: Int
    private let task: Task<Void, any Error>

    var host: String { "127.0.0.1:\(port)" }

    private init(root: String, port: Int, task: Task<Void, any Error>) {
        self.root = root
        self.port = port
        self.task = task
    }

    /// Starts a server over a new store and waits until it listens.
    static func start() async throws -> InProcessServe {
        let root = SyncFixtures.temporaryDirectory()
        let (ports, announce) = AsyncStream<Int>.makeStream()
        var configuration = ServeConfiguration(root: root, port: 0)
        configuration.onServerRunning = { port in
            announce.yield(port)
            announce.finish()
        }
        var logger = Logger(label: "SyncTests.serve")
        logger.logLevel = .critical
        let application = try buildApplication(configuration, logger: logger)
        let task = Task { try await application.run() }
        var bound: Int?
        for await port in ports { bound = port }
        guard let bound else {
            task.cancel()
            throw POSIXError(.ECONNREFUSED)
        }
        return InProcessServe(root: root, port: bound, task: task)
    }

    /// Stops the server and removes its store.
    func stop() async {
        task.cancel()
        _ = try? await task.value
        try? FileManager.default.removeItem(atPath: root)
    }

    /// A repository of this server over plain HTTP, retrying quickly.
    func repository(_ name: String) -> RemoteRegistry {
        RemoteRegistry(
            client: RegistryClient(
                registry: host, configuration: RegistryConfiguration(plainHTTP: true, retry: RetryPolicy(initialDelay: 0.05))),
            repository: name)
    }

    /// Runs `body` with a server, stopped afterwards whatever happens.
    static func with<T: Sendable>(_ body: @Sendable (InProcessServe) async throws -> T) async throws -> T {
        let server = try await start()
        do {
            let value = try await body(server)
            await server.stop()
            return value
        } catch {
            await server.stop()
            throw error
        }
    }
}

/// Runs blocking work (curl transfers, a docker-registry process) on a thread of its own, so the in-process
/// server (whose handlers run on Swift concurrency's cooperative threads) is never starved. The work stays in
/// the calling task (a task executor preference), so `#expect` failures are reported against the test.
func offPool<T: Sendable>(_ body: () throws -> T) async throws -> T {
    let executor = ThreadExecutor()
    defer { executor.shutdown() }
    return try await withTaskExecutorPreference(executor) { try body() }
}
