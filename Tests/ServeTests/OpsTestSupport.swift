// SPDX-License-Identifier: Apache-2.0
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Layout
import Logging
import ServiceLifecycle
import Testing

@testable import Serve

/// Users of the auth tests: alice and bob (group devs), carol (no group).
enum TestUsers {
    static let passwords = ["alice": "alice-secret", "bob": "bob-secret", "carol": "carol-secret"]

    /// Writes an htpasswd file with bcrypt hashes (cost 4: fast) and returns its path.
    static func htpasswd(in directory: String) throws -> String {
        let path = directory + "/htpasswd"
        var lines = ""
        for (user, password) in passwords.sorted(by: { $0.key < $1.key }) {
            lines += "\(user):\(try #require(Htpasswd.hash(password, cost: 4)))\n"
        }
        try lines.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// `Authorization: Basic ...` for a user (with the right password unless one is given).
    static func basic(_ user: String, _ password: String? = nil) -> HTTPFields {
        let credential = Data("\(user):\(password ?? passwords[user] ?? "")".utf8).base64EncodedString()
        return [.authorization: "Basic \(credential)"]
    }

    static func bearer(_ token: String) -> HTTPFields { [.authorization: "Bearer \(token)"] }
}

extension ServeFixture {
    /// An auth configuration over a fresh htpasswd file in the store's sibling directory.
    func auth(_ configure: (inout AuthConfiguration) -> Void = { _ in }) throws -> AuthConfiguration {
        let directory = root + "-etc"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var auth = AuthConfiguration(htpasswd: try TestUsers.htpasswd(in: directory))
        configure(&auth)
        return auth
    }

    /// Removes the store and its sibling directories.
    func removeAll() {
        remove()
        for suffix in ["-etc", "-work"] { try? FileManager.default.removeItem(atPath: root + suffix) }
    }

    /// Runs the application in a ServiceGroup of its own (as `runService()` does), calls `body` with the bound
    /// port, and shuts it down gracefully afterwards. `body` receives the group to trigger shutdown itself.
    func serve<Value: Sendable>(
        configure: (inout ServeConfiguration) -> Void = { _ in }, logger: Logger? = nil,
        _ body: @Sendable (_ port: Int, _ group: ServiceGroup) async throws -> Value
    ) async throws -> Value {
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        var configuration = self.configuration(configure)
        configuration.onServerRunning = { port in continuation.yield(port) }
        var quiet = Logger(label: "ServeTests")
        quiet.logLevel = .warning
        let app = try buildApplication(configuration, logger: logger ?? quiet)
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(services: [app], gracefulShutdownSignals: [], logger: quiet))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw CancellationError() }
            do {
                let value = try await body(port, group)
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                return value
            } catch {
                await group.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                throw error
            }
        }
    }
}

extension TestClientProtocol {
    /// Pushes a blob with a single POST, with credentials.
    @discardableResult
    func pushBlob(_ data: Data, to repository: String, headers: HTTPFields) async throws -> Digest {
        let digest = Digest.sha256(of: data)
        let response = try await execute(
            uri: "/v2/\(repository)/blobs/uploads/?digest=\(digest)", method: .post, headers: headers, body: data.buffer
        )
        #expect(response.status == .created, "push blob: \(response.body.string)")
        return digest
    }
}

/// A log handler that keeps every record, for assertions on what was logged.
struct CapturingLogHandler: LogHandler {
    final class Records: @unchecked Sendable {
        private let lock = NSLock()
        private var entries: [(level: Logger.Level, message: String, metadata: Logger.Metadata)] = []

        func append(_ level: Logger.Level, _ message: String, _ metadata: Logger.Metadata) {
            lock.withLock { entries.append((level, message, metadata)) }
        }

        var all: [(level: Logger.Level, message: String, metadata: Logger.Metadata)] { lock.withLock { entries } }

        /// The metadata of the records with this message.
        func metadata(of message: String) -> [Logger.Metadata] { all.filter { $0.message == message }.map(\.metadata) }
    }

    let records: Records
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        records.append(event.level, "\(event.message)", merged)
    }

    /// A logger writing into `records`.
    static func logger(_ records: Records) -> Logger {
        var logger = Logger(label: "ServeTests") { _ in CapturingLogHandler(records: records) }
        logger.logLevel = .trace
        return logger
    }
}

/// Runs a program (curl, openssl, skopeo) to completion without blocking a concurrency thread.
func runTool(_ arguments: [String]) async throws -> (status: Int32, output: String) {
    try await SkopeoInteropTests.run(arguments)
}

/// A self-signed CA, a server certificate for 127.0.0.1/localhost signed by it, and a client certificate signed by
/// it, made with the openssl CLI in `directory`.
struct TestCertificates {
    let directory: String
    var ca: String { directory + "/ca.pem" }
    var serverCertificate: String { directory + "/server.pem" }
    var serverKey: String { directory + "/server-key.pem" }
    var clientCertificate: String { directory + "/client.pem" }
    var clientKey: String { directory + "/client-key.pem" }

    static func make(in directory: String) async throws -> TestCertificates {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let certificates = TestCertificates(directory: directory)
        let steps: [[String]] = [
            [
                "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
                "/CN=ocitool test CA",
                "-keyout", directory + "/ca-key.pem", "-out", certificates.ca,
            ],
            [
                "openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout",
                certificates.serverKey, "-out", directory + "/server.csr",
            ],
            [
                "openssl", "x509", "-req", "-in", directory + "/server.csr", "-CA", certificates.ca, "-CAkey",
                directory + "/ca-key.pem", "-CAcreateserial", "-days", "2", "-out", certificates.serverCertificate,
                "-extfile", directory + "/san.ext",
            ],
            [
                "openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=alice", "-keyout",
                certificates.clientKey, "-out", directory + "/client.csr",
            ],
            [
                "openssl", "x509", "-req", "-in", directory + "/client.csr", "-CA", certificates.ca, "-CAkey",
                directory + "/ca-key.pem", "-CAcreateserial", "-days", "2", "-out", certificates.clientCertificate,
            ],
        ]
        try "subjectAltName=DNS:localhost,IP:127.0.0.1\n".write(
            toFile: directory + "/san.ext", atomically: true, encoding: .utf8)
        for step in steps {
            let result = try await runTool(step)
            try #require(result.status == 0, "\(step.joined(separator: " ")): \(result.output)")
        }
        return certificates
    }
}
