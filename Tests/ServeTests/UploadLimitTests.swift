// SPDX-License-Identifier: Apache-2.0
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Layout
import Testing

@testable import Serve

/// What open upload sessions and idle connections may cost: sessions hold no file descriptor between requests,
/// their number is capped (429 past it), and idle connections are closed.
@Suite("Serve: upload and connection limits")
struct UploadLimitTests {
    @Test func thousandsOfUnfinishedUploadsHoldNoFileDescriptors() async throws {
        let fixture = ServeFixture()
        defer { fixture.remove() }
        let sessions = 1200
        try await fixture.run(configure: { $0.maxUploadsPerRepository = 2 * sessions }) { client in
            let image = try await client.pushImage(to: "app", tag: "1")
            let before = UploadLimitTests.openDescriptors()
            // Started and left unfinished, eight at a time.
            let statuses = try await withThrowingTaskGroup(of: [HTTPResponse.Status].self) { tasks in
                for _ in 0..<8 {
                    tasks.addTask {
                        var statuses: [HTTPResponse.Status] = []
                        for _ in 0..<(sessions / 8) {
                            let response = try await client.execute(uri: "/v2/app/blobs/uploads/", method: .post)
                            statuses.append(response.status)
                        }
                        return statuses
                    }
                }
                return try await tasks.reduce(into: []) { $0 += $1 }
            }
            let after = UploadLimitTests.openDescriptors()
            #expect(statuses.count == sessions && statuses.allSatisfy { $0 == .accepted })
            #expect(FileSystem.list(fixture.root + "/.ocitool/uploads").count == sessions)
            // Other tests of this process open descriptors meanwhile: the margin is wide, but far below one each.
            #expect(
                after - before < 400, "\(sessions) idle sessions must not keep a descriptor each: \(before) → \(after)")
            // The registry still serves a pull and a new push.
            let digest = Digest.sha256(of: image.layers[0])
            let layer = try await client.execute(uri: "/v2/app/blobs/\(digest)", method: .get)
            #expect(layer.status == .ok && layer.body.data == image.layers[0])
            let again = try await client.pushImage(to: "app", tag: "2")
            let pulled = try await client.execute(
                uri: "/v2/app/manifests/2", method: .get, headers: [.accept: Layout.MediaType.ociManifest.rawValue])
            #expect(pulled.body.data == again.manifest)
        }
    }

    @Test func uploadsPastTheLimitsGet429UntilOneFinishes() async throws {
        let fixture = ServeFixture()
        defer { fixture.remove() }
        try await fixture.run(configure: { $0.maxUploads = 5; $0.maxUploadsPerRepository = 3 }) { client in
            var open: [String] = []
            for _ in 0..<3 { open.append(try await UploadTests.start(client, "a")) }
            // A fourth in the same repository: refused, a session or a whole blob in one POST alike.
            let refused = try await client.execute(uri: "/v2/a/blobs/uploads/", method: .post)
            #expect(refused.status == .tooManyRequests)
            #expect(refused.errorCode == .tooManyRequests)
            #expect(refused.headers[.retryAfter] != nil)
            let data = randomBytes(100)
            let monolithic = try await client.execute(
                uri: "/v2/a/blobs/uploads/?digest=\(Digest.sha256(of: data))", method: .post, body: data.buffer)
            #expect(monolithic.status == .tooManyRequests)
            // Other repositories still start sessions, up to the store's limit.
            for _ in 0..<2 { open.append(try await UploadTests.start(client, "b")) }
            let full = try await client.execute(uri: "/v2/c/blobs/uploads/", method: .post)
            #expect(full.status == .tooManyRequests)
            #expect(full.errorCode == .tooManyRequests)
            // Cancelling or finishing an upload frees its place.
            #expect(try await client.execute(uri: open[0], method: .delete).status == .noContent)
            _ = try await UploadTests.start(client, "c")
            let finish = try await client.execute(
                uri: "\(open[1])?digest=\(Digest.sha256(of: data))", method: .put, body: data.buffer)
            #expect(finish.status == .created)
            _ = try await UploadTests.start(client, "a")
            #expect(try await client.execute(uri: "/v2/a/blobs/uploads/", method: .post).status == .tooManyRequests)
        }
    }

    @Test func idleConnectionsAreClosedAfterTheIdleTimeout() async throws {
        let fixture = ServeFixture()
        defer { fixture.removeAll() }
        let results = try await fixture.serve(configure: { $0.idleTimeout = .seconds(1) }) { port, _ in
            // Python measures from the client's side: a connection that never sends a request, and one that goes
            // quiet after a keep-alive request. Each prints how it ended and after how many seconds.
            let script = """
                import socket, sys, time
                def wait_for_close(s):
                    start = time.time()
                    s.settimeout(15)
                    try:
                        while s.recv(65536):
                            pass
                        return "closed %.2f" % (time.time() - start)
                    except socket.timeout:
                        return "open"
                silent = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
                print(wait_for_close(silent))
                used = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
                used.sendall(b"GET /healthz HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n")
                reply = used.recv(65536)
                print("reply" if reply.startswith(b"HTTP/1.1 200") else "no reply")
                print(wait_for_close(used))
                """
            return try await runTool(["python3", "-c", script, "\(port)"]).output
        }
        let lines = results.split(separator: "\n").map(String.init)
        try #require(lines.count == 3, "\(results)")
        #expect(lines[1] == "reply")
        for line in [lines[0], lines[2]] {
            let parts = line.split(separator: " ")
            #expect(parts.first == "closed", "the idle connection must be closed: \(line)")
            let seconds = parts.count == 2 ? Double(parts[1]) ?? -1 : -1
            // Not closed at once (the client waits up to 15 s for the close: no upper bound beyond that).
            #expect(seconds >= 0.5, "closed after the timeout (1 s), not before: \(line)")
        }
    }

    @Test func limitsAndIdleTimeoutAreSettings() throws {
        let configuration = try ServeConfiguration.parse(
            yaml: "root: /srv\nmaxUploads: 7\nmaxUploadsPerRepository: 3\nidleTimeout: 90s\n", file: "serve.yaml")
        #expect(configuration.maxUploads == 7)
        #expect(configuration.maxUploadsPerRepository == 3)
        #expect(configuration.idleTimeout == .seconds(90))
        let again = try ServeConfiguration.parse(yaml: configuration.effectiveYAML, file: "check.yaml")
        #expect(again.maxUploads == 7 && again.maxUploadsPerRepository == 3 && again.idleTimeout == .seconds(90))
        let defaults = ServeConfiguration(root: "/srv")
        #expect(defaults.idleTimeout == .seconds(60))
        #expect(throws: ConfigurationError.self) {
            try ServeConfiguration.parse(yaml: "root: /srv\nmaxUploads: 0\n", file: "serve.yaml")
        }
    }

    /// Descriptors this process has open.
    static func openDescriptors() -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 0
    }
}
