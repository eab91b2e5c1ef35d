// SPDX-License-Identifier: Apache-2.0
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Layout
import Logging
import Testing

@testable import Serve

/// Health checks, metrics, access logs and the per-client request rate limit.
@Suite("Serve: operations")
struct OperationsTests {
    @Test func healthzAndReadyz() async throws {
        let fixture = ServeFixture()
        defer { fixture.removeAll() }
        let auth = try fixture.auth()
        try await fixture.run(configure: { $0.auth = auth }) { client in
            // Open even when the registry requires credentials.
            #expect(try await client.execute(uri: "/healthz", method: .get).status == .ok)
            #expect(try await client.execute(uri: "/readyz", method: .get).status == .ok)
            #expect(try await client.execute(uri: "/readyz", method: .head).status == .ok)
            // The store's root disappears: not ready, still healthy; it comes back: ready again.
            try FileManager.default.removeItem(atPath: fixture.root)
            let unready = try await client.execute(uri: "/readyz", method: .get)
            #expect(unready.status == .serviceUnavailable)
            #expect(unready.body.string.contains(fixture.root))
            #expect(try await client.execute(uri: "/healthz", method: .get).status == .ok)
            try FileManager.default.createDirectory(atPath: fixture.root, withIntermediateDirectories: true)
            #expect(try await client.execute(uri: "/readyz", method: .get).status == .ok)
        }
        // No probe file is left behind.
        #expect(FileSystem.list(fixture.root + "/.ocitool").allSatisfy { !$0.hasPrefix("ready-") })
    }

    @Test func metricsContainTheCountersAfterRequests() async throws {
        let fixture = ServeFixture()
        defer { fixture.removeAll() }
        let stored = try fixture.store.layout(for: "seed", create: true).writeBlob(randomBytes(4096))
        try await fixture.run(configure: { $0.metrics.storeSizeInterval = .milliseconds(50) }) { client in
            let image = try await client.pushImage(to: "app", tag: "v1")
            _ = try await client.execute(uri: "/v2/app/manifests/v1", method: .get)
            _ = try await client.execute(uri: "/v2/app/blobs/\(image.descriptor.digest)", method: .head)
            let layer = try #require(image.layers.first)
            _ = try await client.execute(uri: "/v2/app/blobs/\(Digest.sha256(of: layer))", method: .get)
            _ = try await client.execute(uri: "/v2/app/tags/list", method: .get)
            _ = try await client.execute(uri: "/v2/_catalog", method: .get)
            // Give the store monitor a moment to measure.
            try await Task.sleep(for: .milliseconds(300))
            let response = try await client.execute(uri: "/metrics", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
            let text = response.body.string
            #expect(text.contains(#"ocitool_http_requests_total{kind="upload",method="POST",status="201"} 3"#))
            #expect(text.contains(#"ocitool_http_requests_total{kind="manifest",method="PUT",status="201"} 1"#))
            #expect(text.contains(#"ocitool_http_requests_total{kind="manifest",method="GET",status="200"} 1"#))
            #expect(text.contains(#"ocitool_http_requests_total{kind="blob",method="GET",status="200"} 1"#))
            #expect(text.contains(#"ocitool_http_requests_total{kind="blob",method="HEAD",status="200"} 1"#))
            #expect(text.contains(#"ocitool_http_sent_bytes_total{kind="blob"} \#(layer.count)"#))
            #expect(text.contains(#"ocitool_http_requests_total{kind="tags",method="GET",status="200"} 1"#))
            #expect(text.contains(#"ocitool_http_requests_total{kind="catalog",method="GET",status="200"} 1"#))
            #expect(text.contains(#"ocitool_http_request_duration_seconds_count{kind="manifest"} 2"#))
            #expect(text.contains(#"ocitool_http_received_bytes_total{kind="upload"}"#))
            #expect(text.contains(#"ocitool_http_sent_bytes_total{kind="manifest"} \#(image.manifest.count)"#))
            #expect(text.contains("ocitool_uploads_in_flight 0"))
            // The store's size: the pushed blobs plus the seed blob, each file once.
            let pushed = image.layers.map(\.count).reduce(0, +) + image.config.count + image.manifest.count
            #expect(text.contains("ocitool_store_size_bytes \(Double(pushed) + Double(stored.size))"), "\(text)")
        }
    }

    @Test func accessLogLineFormat() async throws {
        let fixture = ServeFixture()
        defer { fixture.removeAll() }
        let auth = try fixture.auth()
        let records = CapturingLogHandler.Records()
        let app = try buildApplication(
            fixture.configuration { $0.auth = auth }, logger: CapturingLogHandler.logger(records))
        try await app.test(.router) { client in
            var headers = TestUsers.basic("alice")
            headers[.xRequestID] = "abc-123"
            let response = try await client.execute(uri: "/v2/team/app/tags/list", method: .get, headers: headers)
            #expect(response.headers[.xRequestID] == "abc-123")
            let generated = try await client.execute(uri: "/healthz", method: .get)
            #expect(generated.headers[.xRequestID]?.count == 32)
        }
        let lines = records.all.filter { $0.message == "request" }
        let line = try #require(lines.first { $0.metadata["request_id"] == "abc-123" })
        #expect(line.level == .info)
        #expect(line.metadata["method"] == "GET")
        #expect(line.metadata["kind"] == "tags")
        #expect(line.metadata["repository"] == "team/app")
        #expect(line.metadata["status"]?.description == "404")
        #expect(line.metadata["user"] == "alice")
        #expect(line.metadata["client"] != nil)
        for key in ["bytes_in", "bytes_out", "duration_ms"] { #expect(line.metadata[key] != nil, "\(key)") }
        // Health checks log at debug only.
        #expect(lines.first { $0.metadata["path"] == "/healthz" }?.level == .debug)
        // --log-format json: one JSON object per line, numbers as numbers.
        let json = JSONLogHandler.line(
            time: Date(timeIntervalSince1970: 0), level: .info, label: "ocitool.serve", message: "request",
            metadata: line.metadata)
        #expect(json.hasSuffix("}\n") && json.filter { $0 == "\n" }.count == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["time"] as? String == "1970-01-01T00:00:00.000Z")
        #expect(object["message"] as? String == "request")
        #expect(object["status"] as? Int == 404)
        #expect(object["user"] as? String == "alice")
        #expect(object["request_id"] as? String == "abc-123")
        #expect(object["duration_ms"] is Double || object["duration_ms"] is Int)
    }

    @Test func requestRateLimitAnswers429WithRetryAfter() async throws {
        let fixture = ServeFixture()
        defer { fixture.removeAll() }
        // A slow refill (one request per 100 s), so that a loaded machine cannot refill the bucket mid-test.
        let limit = ServeConfiguration.RateLimit(requestsPerSecond: 0.01, burst: 3)
        try await fixture.run(configure: { $0.rateLimit = limit }) { client in
            for _ in 0..<3 { #expect(try await client.execute(uri: "/v2/", method: .get).status == .ok) }
            let limited = try await client.execute(uri: "/v2/", method: .get)
            #expect(limited.status == .tooManyRequests)
            #expect(limited.errorCode == .tooManyRequests)
            let retryAfter = try #require(limited.headers[.retryAfter].flatMap { Int($0) })
            #expect((1...100).contains(retryAfter))
            // Health checks are never limited.
            #expect(try await client.execute(uri: "/healthz", method: .get).status == .ok)
        }
        // Buckets are per client.
        let limiter = ClientLimiter(.tokenBucket(rate: 1, capacity: 1))
        let now = ContinuousClock.now
        #expect(limiter.take("a", now: now) == nil)
        #expect(limiter.take("a", now: now) != nil)
        #expect(limiter.take("b", now: now) == nil)
        #expect(limiter.take("a", now: now + .seconds(1)) == nil)
    }
}
