// SPDX-License-Identifier: Apache-2.0
import CoreMetrics
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

    /// The Prometheus text exposition.
    func exposition() -> [UInt8] { registry.emitToBuffer() }
}

extension Duration {
    /// The duration in nanoseconds.
    var nanoseconds: Int64 {
        components.seconds &* 1_000_000_000 &+ components.attoseconds / 1_000_000_000
    }
}
