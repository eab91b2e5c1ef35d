// SPDX-License-Identifier: Apache-2.0
import Layout

/// One manifest to scan, read from `repository`.
struct ScanJob: Sendable, Hashable {
    var repository: String
    var digest: Digest
    /// Scan even when the record is from the current database (a `POST …/scan`).
    var force = false
}

/// The bounded queue between pushes and the scan workers. A manifest is queued at most once at a time.
/// `offer` never waits (a push is never delayed: a full queue drops the job); `put` waits for room (the
/// rescan after a database change, which must not lose images).
actor ScanQueue {
    enum Offer: Sendable { case queued, alreadyQueued, full }

    let capacity: Int
    private var jobs: [ScanJob] = []
    private var head = 0
    private var queued: Set<Digest> = []
    private var running: Set<Digest> = []
    private var consumers: [CheckedContinuation<ScanJob?, Never>] = []
    private var producers: [CheckedContinuation<Void, Never>] = []
    private var finished = false

    init(capacity: Int) { self.capacity = max(1, capacity) }

    /// Jobs waiting.
    var depth: Int { jobs.count - head }

    /// Whether `digest` waits (pending) or is being scanned; nil when neither.
    func state(of digest: Digest) -> ScanStatus? {
        if running.contains(digest) { return .scanning }
        return queued.contains(digest) ? .pending : nil
    }

    /// A worker finished `digest` (its record is stored).
    func done(_ digest: Digest) { running.remove(digest) }

    /// Queues `job` unless the queue is full or holds that manifest already.
    func offer(_ job: ScanJob) -> Offer {
        if queued.contains(job.digest) { return .alreadyQueued }
        guard depth < capacity, !finished else { return .full }
        append(job)
        return .queued
    }

    /// Queues `job`, waiting while the queue is full.
    func put(_ job: ScanJob) async {
        while depth >= capacity, !finished { await withCheckedContinuation { producers.append($0) } }
        guard !finished, !queued.contains(job.digest) else { return }
        append(job)
    }

    /// The next job; nil once the queue is finished.
    func take() async -> ScanJob? {
        if depth > 0 { return removeFirst() }
        if finished { return nil }
        return await withCheckedContinuation { consumers.append($0) }
    }

    /// Ends the queue: waiting workers get nil, waiting producers return.
    func finish() {
        finished = true
        for consumer in consumers { consumer.resume(returning: nil) }
        for producer in producers { producer.resume() }
        consumers = []
        producers = []
    }

    private func append(_ job: ScanJob) {
        queued.insert(job.digest)
        if !consumers.isEmpty {
            queued.remove(job.digest)
            running.insert(job.digest)
            consumers.removeFirst().resume(returning: job)
            return
        }
        jobs.append(job)
    }

    private func removeFirst() -> ScanJob {
        let job = jobs[head]
        head += 1
        if head > 64, head * 2 > jobs.count {
            jobs.removeFirst(head)
            head = 0
        }
        queued.remove(job.digest)
        running.insert(job.digest)
        if !producers.isEmpty { producers.removeFirst().resume() }
        return job
    }
}

/// Where a manifest's scan stands, as the scan API reports it.
enum ScanStatus: String, Codable, Sendable {
    /// Queued.
    case pending
    case scanning
    case complete
    case failed
    /// Never scanned and not queued (a full queue dropped it, or scanning on push is off): `POST` scans it.
    case notScanned = "not_scanned"
    /// Not an image: an artifact such as a signature or an SBOM (never scanned, never blocked).
    case unsupported
}
