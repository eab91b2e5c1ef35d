// SPDX-License-Identifier: Apache-2.0
import Foundation
import HTTPTypes
import Hummingbird
import Layout
import Logging
import Scan
import TestSupport
import Testing

@testable import Serve

/// The scan queue when it is full, and the webhook when its receiver fails: bounded, counted, never waiting on a
/// request.
@Suite struct ScanQueueTests {
    private static func job(_ number: Int) -> ScanJob {
        ScanJob(repository: "team/app", digest: Digest.sha256(of: Data("job \(number)".utf8)))
    }

    @Test func offerNeverWaitsPutWaitsForRoom() async throws {
        let queue = ScanQueue(capacity: 2)
        let (a, b, c, d) = (Self.job(1), Self.job(2), Self.job(3), Self.job(4))
        #expect(await queue.offer(a) == .queued)
        #expect(await queue.offer(a) == .alreadyQueued)
        #expect(await queue.offer(b) == .queued)
        // Full: refused at once, and nothing of it is kept.
        #expect(await queue.offer(c) == .full)
        #expect(await queue.depth == 2)
        #expect(await queue.state(of: c.digest) == nil)
        #expect(await queue.state(of: a.digest) == .pending)
        // A worker takes a (first in, first out): it is scanning, and its room takes c.
        #expect(await queue.take() == a)
        #expect(await queue.state(of: a.digest) == .scanning)
        #expect(await queue.offer(c) == .queued)
        // put (the rescan after a database change) waits for room rather than dropping.
        let waiting = Task { await queue.put(d) }
        try await Task.sleep(for: .milliseconds(200))
        #expect(await queue.depth == 2)
        #expect(await queue.state(of: d.digest) == nil)
        #expect(await queue.take() == b)
        await waiting.value
        #expect(await queue.state(of: d.digest) == .pending)
        await queue.done(a.digest)
        #expect(await queue.state(of: a.digest) == nil)
        // Finished: nothing more is accepted; what waits still drains, then workers get nil.
        await queue.finish()
        #expect(await queue.offer(a) == .full)
        #expect(await queue.take() == c)
        #expect(await queue.take() == d)
        #expect(await queue.take() == nil)
    }

    @Test func aFullQueueDropsAPushesScanAndAnswersPOSTWith429() async throws {
        let fixture = ServeFixture()
        defer {
            fixture.removeAll()
            try? FileManager.default.removeItem(atPath: fixture.root + "-db")
        }
        let database = try ScanServeFixtures.importRecords(
            ["DSA-5514-1.json": ScanServeFixtures.glibcRecord], root: fixture.root + "-db")
        let store = fixture.store
        try store.createRoot()
        let images = try (1...3).map { try ScanServeFixtures.storeDebianImage(in: store, repository: "team/app", tag: "v\($0)") }
        var settings = ScanSettings(database: database)
        settings.queue = 2
        let metrics = ServeMetrics()
        // Not running yet: no worker takes a job, so the queue fills deterministically.
        let service = ScanService(settings: settings, store: store, metrics: metrics, logger: Logger(label: "ScanQueueTests"))
        var registry = Registry(store: store, configuration: fixture.configuration { $0.scan = settings })
        registry.scanning = service

        // Three pushes: two queue, the third finds the queue full and is dropped (counted), the push never waits.
        for image in images {
            let manifest = try Manifest(bytes: image.bytes, declared: nil)
            await service.pushed(manifest, digest: image.digest, repository: "team/app")
        }
        #expect(await service.queue.depth == 2)
        #expect(Self.metric(metrics, "ocitool_scan_queue_dropped_total") == 1)
        #expect(Self.metric(metrics, "ocitool_scan_queue_depth") == 2)
        #expect(await service.status(of: images[0].digest).0 == .pending)
        #expect(await service.status(of: images[2].digest).0 == .notScanned)

        // A POST finding the queue full: 429 TOOMANYREQUESTS with Retry-After, also counted; nothing queued.
        do {
            _ = try await registry.triggerScan("team/app", reference: .tag("v3"))
            Issue.record("a POST to a full queue was accepted")
        } catch let error as OCIError {
            #expect(error.status == .tooManyRequests)
            #expect(error.code == DistributionErrorCode.tooManyRequests.rawValue)
            #expect(error.headers[.retryAfter] == "60")
            #expect(error.message.contains("queue is full"))
        }
        #expect(Self.metric(metrics, "ocitool_scan_queue_dropped_total") == 2)
        #expect(await service.queue.depth == 2)

        // Running: the queued images are scanned, and the walk at start queues the dropped one (never scanned,
        // scanning on push), waiting for room rather than dropping it again.
        let running = Task { try await service.run() }
        defer { running.cancel() }
        for _ in 0..<600 {
            var states: [ScanStatus] = []
            for image in images { states.append(await service.status(of: image.digest).0) }
            if states.allSatisfy({ $0 == .complete }) { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        for image in images { #expect(await service.status(of: image.digest).0 == .complete) }
        // With room again, a POST is accepted.
        let accepted = try await registry.triggerScan("team/app", reference: .tag("v3"))
        #expect(accepted.status == .accepted)
        #expect(Self.metric(metrics, "ocitool_scan_queue_dropped_total") == 2)
        // Stopped once that scan has finished (a job taken while cancelling is not scanned).
        for _ in 0..<600 where await service.queue.state(of: images[2].digest) != nil {
            try await Task.sleep(for: .milliseconds(100))
        }
        running.cancel()
        _ = await running.result
    }

    @Test func aFailingWebhookIsRetriedWithBackoffThenGivenUp() async throws {
        let metrics = ServeMetrics()
        func sender(_ port: Int, retries: Int, backoff: Duration) throws -> WebhookSender {
            var hook = ScanSettings.Webhook(url: "http://127.0.0.1:\(port)/hook")
            hook.retries = retries
            hook.backoff = backoff
            return try #require(WebhookSender(hook, metrics: metrics, logger: Logger(label: "ScanQueueTests")))
        }
        // Always 500: the first attempt and 3 retries, the delay doubling from 100 ms, then given up.
        let failing = try WebhookReceiver(answers: Array(repeating: 500, count: 10))
        defer { failing.stop() }
        let patient = try sender(failing.port, retries: 3, backoff: .milliseconds(100))
        #expect(await patient.deliver(Data("{}".utf8)) == false)
        #expect(failing.received.count == 4)
        let arrivals = failing.arrivals
        for (index, expected) in [100, 200, 400].enumerated() where arrivals.count == 4 {
            let gap = arrivals[index + 1] - arrivals[index]
            #expect(gap >= .milliseconds(expected), "retry \(index + 1) came \(gap) after the attempt before it")
        }
        #expect(Self.metric(metrics, "ocitool_scan_webhook_retries_total") == 3)
        #expect(Self.metric(metrics, #"ocitool_scan_webhook_deliveries_total{result="failed"}"#) == 1)
        try await Task.sleep(for: .milliseconds(300))
        #expect(failing.received.count == 4)

        // 503, 502, then 200: delivered on the third attempt.
        let flaky = try WebhookReceiver(answers: [503, 502])
        defer { flaky.stop() }
        let quick = try sender(flaky.port, retries: 3, backoff: .milliseconds(10))
        #expect(await quick.deliver(Data("{}".utf8)))
        #expect(flaky.received.count == 3)
        #expect(Self.metric(metrics, "ocitool_scan_webhook_retries_total") == 5)
        #expect(Self.metric(metrics, #"ocitool_scan_webhook_deliveries_total{result="delivered"}"#) == 1)

        // Nobody listening: a refused connection is a failed attempt too, retried the same way.
        let nobody = try sender(try LoopbackPort.free(), retries: 1, backoff: .milliseconds(10))
        #expect(await nobody.deliver(Data("{}".utf8)) == false)
        #expect(Self.metric(metrics, "ocitool_scan_webhook_retries_total") == 6)
        #expect(Self.metric(metrics, #"ocitool_scan_webhook_deliveries_total{result="failed"}"#) == 2)
    }

    /// One sample of the metrics' text exposition (the line starting with `prefix`), 0 when absent.
    static func metric(_ metrics: ServeMetrics, _ prefix: String) -> Double {
        let text = String(decoding: metrics.exposition(), as: UTF8.self)
        for line in text.split(separator: "\n") where line.hasPrefix(prefix + " ") {
            return Double(line.split(separator: " ").last ?? "") ?? 0
        }
        return 0
    }
}
