// SPDX-License-Identifier: Apache-2.0
import Foundation
import HTTPTypes
import Hummingbird
import Layout
import Scan

/// The scan API (an ocitool extension under /v2, authorized as pulls for GET and pushes for POST) and the
/// pull policy's hook into manifest GET and HEAD. Shapes are documented in the README ("Vulnerability scanning
/// in serve").
extension Registry {
    /// `GET /v2/<name>/manifests/<reference>/scan`: where the manifest's scan stands and what it found.
    func scanResult(_ name: String, reference: DistributionRoute.Reference) async throws -> Response {
        let scanning = try requireScanning()
        let (layout, descriptor) = try locate(name, reference)
        let (status, record) = await scanning.status(of: descriptor.digest)
        let shown: ScanStatus
        if status == .notScanned, let manifest = try? layout.manifest(descriptor), !ScanService.isScannable(manifest) {
            shown = .unsupported
        } else {
            shown = status
        }
        return try Registry.scanJSON(ScanResultBody(name: name, digest: descriptor.digest, status: shown, record: record))
    }

    /// `POST /v2/<name>/manifests/<reference>/scan`: queues a scan (even with the same database): 202 with the
    /// result's location; 429 TOOMANYREQUESTS when the queue is full; 405 UNSUPPORTED for an artifact.
    func triggerScan(_ name: String, reference: DistributionRoute.Reference) async throws -> Response {
        let scanning = try requireScanning()
        let (layout, descriptor) = try locate(name, reference)
        guard ScanService.isScannable(try layout.manifest(descriptor)) else {
            throw OCIError(.unsupported, "\(name)@\(descriptor.digest) is an artifact, not an image: nothing to scan")
        }
        let offer = await scanning.submit(ScanJob(repository: name, digest: descriptor.digest, force: true))
        guard offer != .full else {
            throw OCIError(.tooManyRequests, "the scan queue is full: retry later", headers: [.retryAfter: "60"])
        }
        let location = "/v2/\(name)/manifests/\(descriptor.digest)/scan"
        let body = try Registry.scanEncoder.encode(
            ["status": ScanStatus.pending.rawValue, "digest": descriptor.digest.description, "location": location])
        var response = Response.json(body, headers: [.location: location])
        response.status = .accepted
        return response
    }

    /// `GET /v2/<name>/scan/summary`: the repository's tagged images' scans (see `ScanSummaryBody`).
    func scanSummary(_ name: String) async throws -> Response {
        let scanning = try requireScanning()
        let layout = try store.layout(for: name)
        let index = try indexes.index(of: layout)
        var summary = ScanSummaryBody(repository: name)
        var counted = Set<Digest>()
        var newest: (tag: String, record: ScanRecord)?
        var latestTagged: ScanSummaryBody.Latest?
        for entry in index.manifests {
            guard let tag = entry.refName else { continue }
            summary.tags += 1
            let (status, record) = await scanning.status(of: entry.digest)
            if tag == "latest" { latestTagged = .init(tag: tag, digest: entry.digest, status: status, record: record) }
            guard let record, record.outcome == .complete else { continue }
            if counted.insert(entry.digest).inserted {
                summary.scanned += 1
                for (severity, count) in record.counts { summary.totals[severity.rawValue, default: 0] += count }
            }
            if newest == nil || record.scannedAt > newest!.record.scannedAt { newest = (tag, record) }
        }
        summary.lastScanned = newest?.record.scannedAt
        summary.latest = latestTagged ?? newest.map {
            .init(tag: $0.tag, digest: $0.record.digest, status: .complete, record: $0.record)
        }
        return try Registry.scanJSON(summary)
    }

    /// Refuses a manifest pull the policy denies (403 DENIED, counted), deciding from the manifest's bytes and its
    /// last scan.
    func enforcePolicy(_ name: String, digest: Digest, bytes: Data) throws {
        guard let scanning, let gate = scanning.gate else { return }
        let verdict =
            gate.cached(name, digest)
            ?? gate.decide(name, digest, bytes: bytes, record: scanning.records.record(digest))
        if let denial = verdict.denial {
            scanning.metrics.policyDenied()
            throw OCIError(.denied, denial)
        }
    }

    /// Whether a response from the manifest response cache may go out: always without a policy; with one, when a
    /// cached verdict allows it (a denial throws); with no cached verdict, false (the full path decides).
    func allowedFromCache(_ response: Response, path: String) throws -> Bool {
        guard let scanning, let gate = scanning.gate else { return true }
        guard let text = response.headers[.dockerContentDigest], let digest = try? Digest(text),
            case .manifest(let name, _)? = try? DistributionRoute(path: path),
            let verdict = gate.cached(name, digest)
        else { return false }
        if let denial = verdict.denial {
            scanning.metrics.policyDenied()
            throw OCIError(.denied, denial)
        }
        return true
    }

    private func requireScanning() throws -> ScanService {
        guard let scanning else {
            throw OCIError(.unsupported, "vulnerability scanning is not configured on this registry", status: .notFound)
        }
        return scanning
    }

    /// The layout and descriptor a scan route names.
    private func locate(_ name: String, _ reference: DistributionRoute.Reference) throws -> (OCILayout, Descriptor) {
        let layout = try store.layout(for: name)
        let (descriptor, _) = try resolve(reference, in: layout, name: name)
        return (layout, descriptor)
    }

    static let scanEncoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()

    static func scanJSON(_ value: some Encodable) throws -> Response {
        .json(try scanEncoder.encode(value))
    }
}

extension DistributionRoute {
    /// Whether the route is one of the scan API's.
    var isScan: Bool {
        switch self {
        case .scan, .scanSummary: true
        default: false
        }
    }
}
