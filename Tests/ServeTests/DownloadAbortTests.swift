// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
import Logging
import Testing

@testable import Serve

/// A blob download its client abandons halfway: the access line and `ocitool_http_sent_bytes_total` count
/// the bytes sent before it broke off (not 0, not the whole blob).
@Suite("Serve: aborted downloads are counted")
struct DownloadAbortTests {
    @Test func abortedDownloadCountsTheBytesSent() async throws {
        let fixture = ServeFixture()
        defer { fixture.removeAll() }
        let size = 32 << 20
        let blob = try fixture.store.layout(for: "app", create: true)
            .writeBlob(Data((0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31) }))
        let records = CapturingLogHandler.Records()
        try await fixture.serve(logger: CapturingLogHandler.logger(records)) { port, _ in
            let connection = try RawHTTPConnection(port: port)
            try await connection.sendHead("GET /v2/app/blobs/\(blob.digest) HTTP/1.1", headers: [])
            #expect(await connection.receive(atLeast: 1 << 20), "the download starts")
            connection.close()
            // The server learns of the hang-up on its next writes; wait (bounded) for the access line.
            let deadline = ContinuousClock.now + .seconds(30)
            var line: Logger.Metadata?
            while line == nil, ContinuousClock.now < deadline {
                line = records.metadata(of: "request").first { $0["kind"] == "blob" && $0["method"] == "GET" }
                if line == nil { try await Task.sleep(for: .milliseconds(50)) }
            }
            let logged = try #require(line, "no access line for the aborted download")
            #expect(logged["error"] != nil, "the line says the body was not completely sent")
            let sent = try #require(logged["bytes_out"].flatMap { Int("\($0)") })
            #expect(sent >= 1 << 20, "at least what the client read was sent: \(sent)")
            #expect(sent < size, "not the whole blob: \(sent)")
            let metrics = try await RawHTTPConnection.request(port: port, "GET", "/metrics")
            let text = String(decoding: metrics.body, as: UTF8.self)
            #expect(text.contains(#"ocitool_http_sent_bytes_total{kind="blob"} \#(sent)"#), "\(text)")
        }
    }
}
