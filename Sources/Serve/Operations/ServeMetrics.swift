// SPDX-License-Identifier: Apache-2.0
import CoreMetrics
import Layout
import Metrics
import Prometheus

/// The registry's metrics, through swift-metrics into a Prometheus registry of its own (so each application,
/// and each test, counts alone): requests by route kind, method and status, latency histograms, bytes in and
/// out, uploads in flight, the store's size, failed logins, rate-limited requests and online GC runs.
final class ServeMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let factory: PrometheusMetricsFactory
    private let uploads: CoreMetrics.Meter
    private let storeBytes: CoreMetrics.Meter
    private let storeBlobs: CoreMetrics.Meter

    init() {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
            .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5),
            .seconds(10), .seconds(30), .seconds(60),
        ]
        self.factory = factory
        uploads = CoreMetrics.Meter(label: "ocitool_uploads_in_flight", factory: factory)
        storeBytes = CoreMetrics.Meter(label: "ocitool_store_size_bytes", factory: factory)
        storeBlobs = CoreMetrics.Meter(label: "ocitool_store_blobs", factory: factory)
    }

    /// Counts one finished request.
    func request(kind: RouteKind, method: String, status: Int, duration: Duration, bytesIn: Int64, bytesOut: Int64) {
        let dimensions = [("kind", kind.rawValue), ("method", method), ("status", String(status))]
        CoreMetrics.Counter(label: "ocitool_http_requests_total", dimensions: dimensions, factory: factory).increment()
        CoreMetrics.Timer(
            label: "ocitool_http_request_duration_seconds", dimensions: [("kind", kind.rawValue)], factory: factory
        )
        .recordNanoseconds(duration.nanoseconds)
        let kindOnly = [("kind", kind.rawValue)]
        if bytesIn > 0 {
            CoreMetrics.Counter(label: "ocitool_http_received_bytes_total", dimensions: kindOnly, factory: factory)
                .increment(by: bytesIn)
        }
        if bytesOut > 0 {
            CoreMetrics.Counter(label: "ocitool_http_sent_bytes_total", dimensions: kindOnly, factory: factory)
                .increment(by: bytesOut)
        }
    }

    /// An upload request started (+1) or ended (-1).
    func uploadInFlight(_ delta: Int) {
        if delta > 0 { uploads.increment(by: Double(delta)) } else { uploads.decrement(by: Double(-delta)) }
    }

    /// The store's size, as measured by `StoreSizeMonitor`.
    func storeSize(bytes: Int64, blobs: Int) {
        storeBytes.set(bytes)
        storeBlobs.set(blobs)
    }

    /// The blob cache of a bucket store: `ocitool_blob_cache_hits_total`, `_misses_total`, and the bytes stored
    /// and evicted.
    func blobCache(_ event: BlobCache.Event) {
        switch event {
        case .hit: CoreMetrics.Counter(label: "ocitool_blob_cache_hits_total", factory: factory).increment()
        case .miss: CoreMetrics.Counter(label: "ocitool_blob_cache_misses_total", factory: factory).increment()
        case .stored(let bytes):
            CoreMetrics.Counter(label: "ocitool_blob_cache_stored_bytes_total", factory: factory).increment(by: bytes)
        case .evicted(let bytes):
            CoreMetrics.Counter(label: "ocitool_blob_cache_evicted_bytes_total", factory: factory).increment(by: bytes)
        }
    }

    func failedLogin() {
        CoreMetrics.Counter(label: "ocitool_failed_logins_total", factory: factory).increment()
    }

    func rateLimited(reason: String) {
        CoreMetrics.Counter(label: "ocitool_rate_limited_total", dimensions: [("reason", reason)], factory: factory)
            .increment()
    }

    /// One online garbage collection.
    func gcRun(removedBlobs: Int, bytesFreed: Int64, failed: Bool) {
        CoreMetrics.Counter(
            label: "ocitool_gc_runs_total", dimensions: [("result", failed ? "error" : "ok")], factory: factory
        )
        .increment()
        CoreMetrics.Counter(label: "ocitool_gc_removed_blobs_total", factory: factory).increment(by: removedBlobs)
        CoreMetrics.Counter(label: "ocitool_gc_freed_bytes_total", factory: factory).increment(by: bytesFreed)
    }

    /// One scan ended: `complete`, `failed`, or `skipped` (already scanned with the same database), with the
    /// findings of a complete one by severity.
    func scan(outcome: String, findings: [String: Int] = [:]) {
        CoreMetrics.Counter(label: "ocitool_scans_total", dimensions: [("outcome", outcome)], factory: factory)
            .increment()
        for (severity, count) in findings where count > 0 {
            CoreMetrics.Counter(
                label: "ocitool_scan_findings_total", dimensions: [("severity", severity)], factory: factory
            )
            .increment(by: count)
        }
    }

    /// Scans waiting in the queue.
    func scanQueueDepth(_ depth: Int) {
        CoreMetrics.Meter(label: "ocitool_scan_queue_depth", factory: factory).set(depth)
    }

    /// A push's scan the full queue dropped.
    func scanDropped() {
        CoreMetrics.Counter(label: "ocitool_scan_queue_dropped_total", factory: factory).increment()
    }

    /// A manifest pull the scan policy refused.
    func policyDenied() {
        CoreMetrics.Counter(label: "ocitool_scan_policy_denials_total", factory: factory).increment()
    }

    /// A webhook attempt failed and is tried again after the backoff.
    func webhookRetry() {
        CoreMetrics.Counter(label: "ocitool_scan_webhook_retries_total", factory: factory).increment()
    }

    /// A webhook delivery ended: `delivered`, or `failed` once every retry failed.
    func webhook(result: String) {
        CoreMetrics.Counter(
            label: "ocitool_scan_webhook_deliveries_total", dimensions: [("result", result)], factory: factory
        )
        .increment()
    }

    /// The Prometheus text exposition.
    func exposition() -> [UInt8] { registry.emitToBuffer() }
}

extension Duration {
    /// The duration in nanoseconds.
    var nanoseconds: Int64 {
        components.seconds &* 1_000_000_000 &+ components.attoseconds / 1_000_000_000
    }
}
