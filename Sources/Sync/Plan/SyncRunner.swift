// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout

/// Runs sync jobs: for each repository, list and filter the source's tags, plan them (`SyncPlanner`), then
/// copy the tags that need it with `ImageCopy` (digests preserved, referrers recursively, the tag set last),
/// one tag at a time with `jobs` blobs at once.
///
/// With a gate in the job's copy options (a required signature), each image copied must pass it first; a
/// refused tag is a failure whose error says why, and nothing of it is written. cosign's `sha256-<hex>.sig`/
/// `.att`/`.sbom` tags are then not synced as tags of their own: they come with the image they belong to. A dry
/// run asks the gate as well, so the plan shows which tags would be refused and why.
///
/// Without `keepGoing` the first failure (a repository that cannot be listed, a tag that cannot be looked up
/// or copied) stops the run; with it every other tag is still done and the failures are in the report. A
/// dry run plans only: nothing is written, a missing destination layout is not created.
///
/// `run` blocks; call it from a thread of your own.
public struct SyncRunner: Sendable {
    /// Lookups and blob transfers at once.
    public var jobs: Int
    /// Plan only.
    public var dryRun: Bool
    /// Carry on past failures.
    public var keepGoing: Bool
    /// Called with each entry as soon as it is settled (a planned tag, a copy done or failed), in order.
    public var onResult: (@Sendable (SyncReport.Entry) -> Void)?

    public init(
        jobs: Int = 4, dryRun: Bool = false, keepGoing: Bool = false,
        onResult: (@Sendable (SyncReport.Entry) -> Void)? = nil
    ) {
        self.jobs = max(1, jobs)
        self.dryRun = dryRun
        self.keepGoing = keepGoing
        self.onResult = onResult
    }

    /// Syncs every job in order.
    public func run(_ syncJobs: [SyncJob]) -> SyncReport {
        let start = ContinuousClock.now
        var report = SyncReport(dryRun: dryRun)
        for job in syncJobs where !report.stopped {
            run(job, into: &report)
        }
        report.seconds = Self.seconds(since: start)
        return report
    }

    private func run(_ job: SyncJob, into report: inout SyncReport) {
        var options = job.copy
        options.jobs = jobs
        let source: any ImageSource & TagCatalog
        let destination: (any ImageSource & ImageDestination & TagCatalog)?
        let tags: [String]
        do throws(SyncError) {
            source = try Self.open(job.source, options: job.sourceRegistry, create: false)
            tags = try job.filter.apply(source.listTags()).filter { (tag) in
                // Under a gate, cosign's legacy tags are no images to judge: they travel with the image they sign.
                job.copy.gate == nil || Referrer.cosignSubject(ofTag: tag) == nil
            }
            // Nothing to do: a missing destination layout is not created for nothing.
            if tags.isEmpty { return }
            destination = try Self.openDestination(job.destination, options: job.destinationRegistry, create: !dryRun)
        } catch {
            var entry = SyncReport.Entry(source: job.sourceName, destination: job.destinationName, tag: nil, status: .failed)
            entry.error = error.description
            settle(entry, failure: error, into: &report)
            return
        }
        let planner = SyncPlanner(source: source, destination: destination, options: options, forWriting: !dryRun)
        for item in planner.plan(tags) {
            guard !report.stopped else { return }
            var entry = SyncReport.Entry(source: job.sourceName, destination: job.destinationName, tag: item.tag, status: .skipped)
            entry.digest = item.source?.digest
            entry.previous = item.current
            if let target = item.target, target != item.source?.digest { entry.target = target }
            switch item.action {
            case .skip:
                settle(entry, failure: nil, into: &report)
            case .fail(let error):
                entry.status = .failed
                entry.error = error.description
                settle(entry, failure: error, into: &report)
            case .copy(let reason):
                entry.reason = reason
                guard !dryRun, let destination, let descriptor = item.source else {
                    // A dry run asks the gate too: a tag the real run would refuse fails here with the same reason.
                    if dryRun, let gate = options.gate, let descriptor = item.source {
                        do throws(SyncError) {
                            try endpointCall { try gate.check(descriptor, from: source, named: "\(source)") }
                        } catch {
                            entry.status = .failed
                            entry.error = error.description
                            settle(entry, failure: error, into: &report)
                            continue
                        }
                    }
                    entry.status = .planned
                    settle(entry, failure: nil, into: &report)
                    continue
                }
                let start = ContinuousClock.now
                do throws(SyncError) {
                    let result = try endpointCall {
                        try ImageCopy(from: source, to: destination, options: options).copy(descriptor, tag: item.tag)
                    }
                    entry.status = .copied
                    entry.target = result.descriptor.digest == descriptor.digest ? nil : result.descriptor.digest
                    entry.blobsCopied = result.blobsCopied
                    entry.bytesCopied = result.bytesCopied
                    entry.blobsMounted = result.blobsMounted
                    entry.blobsSkipped = result.blobsSkipped
                    entry.manifestsCopied = result.manifestsCopied
                    entry.referrersCopied = result.referrersCopied
                    entry.seconds = Self.seconds(since: start)
                    settle(entry, failure: nil, into: &report)
                } catch {
                    entry.status = .failed
                    entry.error = error.description
                    entry.seconds = Self.seconds(since: start)
                    settle(entry, failure: error, into: &report)
                }
            }
        }
    }

    private func settle(_ entry: SyncReport.Entry, failure: SyncError?, into report: inout SyncReport) {
        report.record(entry)
        onResult?(entry)
        guard let failure else { return }
        if report.firstFailure == nil { report.firstFailure = failure }
        if !keepGoing { report.stopped = true }
    }

    /// A registry repository, or an existing layout (created first when `create`).
    static func open(_ reference: ImageReference, options: RegistryOptions, create: Bool) throws(SyncError)
        -> any ImageSource & ImageDestination & TagCatalog
    {
        switch reference {
        case .registry(let host, let repository, _):
            return RemoteRegistry(client: try options.client(registry: host, repository: repository), repository: repository)
        case .layout(let path, _):
            return LayoutEndpoint(
                try layoutCall { () throws(LayoutError) in create ? try OCILayout.create(at: path) : try OCILayout(at: path) })
        case .objectStore(let url, _):
            return try layoutCall { () throws(LayoutError) in try ImageEndpoint.bucket(url, options, create: create) }
        case .ociArchive, .dockerArchive:
            throw .invalidArgument("\(reference) is an archive: sync works between registries and layouts")
        }
    }

    /// The destination; nil for a layout that does not exist when it may not be created (a dry run).
    private static func openDestination(_ reference: ImageReference, options: RegistryOptions, create: Bool)
        throws(SyncError) -> (any ImageSource & ImageDestination & TagCatalog)?
    {
        if case .layout(let path, _) = reference, !create,
            !FileManager.default.fileExists(atPath: path + "/oci-layout")
        {
            return nil
        }
        return try open(reference, options: options, create: create)
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}
