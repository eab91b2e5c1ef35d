// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
import Logging
import NIOPosix
import Scan
import ServiceLifecycle

/// Scans pushed images in the background: a bounded queue (`ScanQueue`) fed by manifest pushes and
/// `POST …/scan`, `workers` scans at a time on threads of their own (cataloging through `ImageCataloger` with
/// the store's layer cache, matching through `Scanner`), records kept by `ScanRecords`. A manifest already
/// scanned with the same database is skipped; when the database file changes (checked every `recheck` and at
/// start), every image of the store is queued again. New vulnerability ids are POSTed to the webhook.
final class ScanService: Service, Sendable {
    let settings: ScanSettings
    let store: Store
    let records: ScanRecords
    let queue: ScanQueue
    let gate: PolicyGate?
    let metrics: ServeMetrics
    let logger: Logger
    private let webhook: WebhookSender?

    init(settings: ScanSettings, store: Store, metrics: ServeMetrics, logger: Logger) {
        self.settings = settings
        self.store = store
        self.records = ScanRecords(store: store)
        self.queue = ScanQueue(capacity: settings.queue)
        self.gate = settings.policy.map(PolicyGate.init)
        self.metrics = metrics
        self.logger = logger
        self.webhook = settings.webhook.flatMap { WebhookSender($0, metrics: metrics, logger: logger) }
    }

    /// Whether a manifest is an image ocitool scans: an image manifest with an image config, or an index;
    /// not an artifact (a subject, an artifact type, another config type).
    static func isScannable(_ manifest: Manifest) -> Bool {
        guard manifest.subject == nil, manifest.artifactType == nil else { return false }
        switch manifest.kind {
        case .index: return true
        case .image(let image): return image.config.mediaType == .ociConfig || image.config.mediaType == .dockerConfig
        }
    }

    /// A manifest was pushed: queue its scan (when scanning on push), never waiting.
    func pushed(_ manifest: Manifest, digest: Digest, repository: String) async {
        guard settings.onPush, ScanService.isScannable(manifest) else { return }
        _ = await submit(ScanJob(repository: repository, digest: digest))
    }

    /// Queues a scan without waiting; a full queue drops it (counted).
    func submit(_ job: ScanJob) async -> ScanQueue.Offer {
        let offer = await queue.offer(job)
        if offer == .full { metrics.scanDropped() }
        metrics.scanQueueDepth(await queue.depth)
        return offer
    }

    /// Where the scan of `digest` stands, and its last record.
    func status(of digest: Digest) async -> (ScanStatus, ScanRecord?) {
        let record = records.record(digest)
        if let state = await queue.state(of: digest) { return (state, record) }
        guard let record else { return (.notScanned, nil) }
        return (record.outcome == .complete ? .complete : .failed, record)
    }

    func run() async throws {
        let pool = NIOThreadPool(numberOfThreads: settings.workers)
        pool.start()
        // Graceful shutdown cancels the workers and the watcher; scans in progress finish first.
        try? await cancelWhenGracefulShutdown {
            await withTaskCancellationHandler {
                await withTaskGroup(of: Void.self) { group in
                    for _ in 0..<self.settings.workers { group.addTask { await self.work(pool) } }
                    group.addTask { await self.watchDatabase(pool) }
                    await group.waitForAll()
                }
            } onCancel: {
                Task { await self.queue.finish() }
            }
        }
        await queue.finish()
        try? await pool.shutdownGracefully()
    }

    /// One worker: scans queued jobs until the queue finishes.
    private func work(_ pool: NIOThreadPool) async {
        while let job = await queue.take() {
            metrics.scanQueueDepth(await queue.depth)
            await scan(job, pool: pool)
            await queue.done(job.digest)
        }
    }

    private func scan(_ job: ScanJob, pool: NIOThreadPool) async {
        let identity = DatabaseIdentity.current(settings.database)
        let previous = records.record(job.digest)
        if !job.force, let previous, previous.outcome == .complete, previous.databaseIdentity == identity {
            metrics.scan(outcome: "skipped")
            return
        }
        let (store, records, path) = (self.store, self.records, settings.database)
        let record: ScanRecord
        do {
            record = try await pool.runIfActive {
                let record = ScanService.scan(job, store: store, databasePath: path, identity: identity)
                try records.store(record)
                return record
            }
        } catch {
            logger.error("cannot keep the scan result", metadata: ["digest": "\(job.digest)", "error": "\(error)"])
            metrics.scan(outcome: "failed")
            return
        }
        gate?.invalidate(job.digest)
        switch record.outcome {
        case .complete:
            metrics.scan(
                outcome: "complete",
                findings: Dictionary(uniqueKeysWithValues: record.counts.map { ($0.key.rawValue, $0.value) }))
            notify(record, previous: previous)
        case .failed:
            metrics.scan(outcome: "failed")
            logger.warning(
                "scan failed", metadata: ["repository": "\(job.repository)", "digest": "\(job.digest)",
                    "error": "\(record.error ?? "")"])
        }
    }

    /// POSTs the findings whose ids the previous complete scan of the manifest did not have.
    private func notify(_ record: ScanRecord, previous: ScanRecord?) {
        guard let webhook else { return }
        let known = previous?.outcome == .complete ? previous?.findingIDs ?? [] : []
        let fresh = record.findings.filter { !known.contains($0.id) }
        guard !fresh.isEmpty else { return }
        let event = WebhookEvent(record: record, newFindings: fresh)
        guard let body = try? ScanRecords.encoder.encode(event) else { return }
        webhook.send(body)
    }

    /// Queues every image of the store when the database's identity changes (and once at start).
    private func watchDatabase(_ pool: NIOThreadPool) async {
        var known: String?
        while !Task.isCancelled {
            let identity = DatabaseIdentity.current(settings.database)
            if identity != known {
                if known != nil { logger.info("vulnerability database changed: rescanning the store") }
                known = identity
                let store = self.store
                let jobs = (try? await pool.runIfActive { ScanService.images(in: store) }) ?? []
                for job in jobs {
                    // Scanned with this database already: nothing to do. Never scanned: queued only when scanning
                    // on push (with it off, images are scanned on request, and kept fresh once scanned).
                    if let record = records.record(job.digest) {
                        if record.outcome == .complete, record.databaseIdentity == identity { continue }
                    } else if !settings.onPush {
                        continue
                    }
                    await queue.put(job)
                    metrics.scanQueueDepth(await queue.depth)
                }
            }
            do { try await Task.sleep(for: settings.recheck) } catch { return }
        }
    }

    /// Every scannable manifest listed in the store's repositories (index.json entries).
    static func images(in store: Store) -> [ScanJob] {
        var jobs: [ScanJob] = []
        var seen = Set<Digest>()
        for repository in store.repositories() {
            guard let layout = try? store.layout(for: repository), let index = try? layout.readIndex() else { continue }
            for entry in index.manifests where entry.mediaType.isManifest && !seen.contains(entry.digest) {
                guard let manifest = try? layout.manifest(entry), isScannable(manifest) else { continue }
                seen.insert(entry.digest)
                jobs.append(ScanJob(repository: repository, digest: entry.digest))
            }
        }
        return jobs
    }

    /// Catalogs and matches one manifest (blocking: run on a worker thread). A failure is a failed record.
    static func scan(_ job: ScanJob, store: Store, databasePath: String, identity: String) -> ScanRecord {
        var record = ScanRecord(
            digest: job.digest, repository: job.repository, outcome: .failed, scannedAt: Date(),
            databaseIdentity: identity, database: nil, reports: [], error: nil)
        do {
            let layout = try store.layout(for: job.repository)
            let descriptor = try layout.resolve(.digest(job.digest))
            let cataloger = ImageCataloger(cache: LayerCatalogCache(layoutRoot: store.root))
            let catalogs = try cataloger.catalog(descriptor, in: LayoutEndpoint(layout))
            let database = try VulnerabilityDatabase.open(at: databasePath)
            let info = try database.info(source: databasePath)
            let scanner = VulnerabilityScanner(database: database)
            let isIndex = descriptor.mediaType.isIndex
            record.reports = try catalogs.map { catalog in
                let target = ScanTarget(
                    name: "\(job.repository)@\(job.digest)", manifest: catalog.manifest.digest,
                    index: isIndex ? job.digest : nil, platform: catalog.platform?.description, distro: catalog.distro)
                return try scanner.report(catalog.packages, target: target, databaseInfo: info, policy: ScanPolicy())
            }
            record.database = info
            record.outcome = .complete
        } catch {
            record.error = "\(error)"
        }
        return record
    }
}

/// The webhook's JSON: which manifest, when, with which database, and the findings new since its last scan.
struct WebhookEvent: Encodable {
    var event = "scan.new_findings"
    var repository: String
    var digest: String
    var scannedAt: Date
    var database: DatabaseInfo?
    var counts: [String: Int]
    var newFindings: [Finding]

    init(record: ScanRecord, newFindings: [Finding]) {
        repository = record.repository
        digest = record.digest.description
        scannedAt = record.scannedAt
        database = record.database
        counts = Dictionary(uniqueKeysWithValues: record.counts.map { ($0.key.rawValue, $0.value) })
        self.newFindings = newFindings
    }

    enum CodingKeys: String, CodingKey {
        case event, repository, digest, database, counts
        case scannedAt = "scanned_at"
        case newFindings = "new_findings"
    }
}
