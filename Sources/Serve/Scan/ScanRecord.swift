// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
import NIOConcurrencyHelpers
import Scan

/// The last scan of one manifest (an image, or every platform of an index), as kept on disk and answered by
/// the scan API.
struct ScanRecord: Codable, Sendable {
    enum Outcome: String, Codable, Sendable { case complete, failed }

    var digest: Digest
    /// The repository it was read from.
    var repository: String
    var outcome: Outcome
    var scannedAt: Date
    /// The database's identity when scanned (see `DatabaseIdentity`): equal identities need no rescan.
    var databaseIdentity: String
    var database: DatabaseInfo?
    /// One report per platform scanned (one for an image manifest).
    var reports: [ScanReport]
    /// Why the scan failed.
    var error: String?

    /// Every remaining finding of every platform.
    var findings: [Finding] { reports.flatMap(\.findings) }

    /// The vulnerability ids found (what the webhook compares between scans).
    var findingIDs: Set<String> { Set(findings.map(\.id)) }

    /// Remaining findings by severity, every severity present.
    var counts: [VulnerabilitySeverity: Int] {
        var counts = Dictionary(uniqueKeysWithValues: VulnerabilitySeverity.allCases.map { ($0, 0) })
        for finding in findings { counts[finding.severity, default: 0] += 1 }
        return counts
    }
}

/// Scan records on disk: `ROOT/.ocitool/scan/<algorithm>/<hex>.json`, one per manifest digest, each
/// replaced atomically. Also remembered in memory once read. A record that cannot be read is missing.
final class ScanRecords: Sendable {
    let directory: String
    private let cache = NIOLockedValueBox<[Digest: ScanRecord]>([:])

    init(store: Store) {
        directory = store.privateStateDirectory("scan")
    }

    private func path(_ digest: Digest) -> String {
        "\(directory)/\(digest.algorithm.rawValue)/\(digest.encoded).json"
    }

    /// The record of `digest`, if it was ever scanned.
    func record(_ digest: Digest) -> ScanRecord? {
        if let cached = cache.withLockedValue({ $0[digest] }) { return cached }
        guard let data = FileManager.default.contents(atPath: path(digest)),
            let record = try? ScanRecords.decoder.decode(ScanRecord.self, from: data), record.digest == digest
        else { return nil }
        cache.withLockedValue { $0[digest] = record }
        return record
    }

    /// Stores `record` (atomically on disk, then in memory).
    func store(_ record: ScanRecord) throws {
        let final = path(record.digest)
        try FileSystem.makeDirectories(FileSystem.parentDirectory(of: final))
        try FileSystem.writeAtomically(try ScanRecords.encoder.encode(record), to: final)
        cache.withLockedValue { $0[record.digest] = record }
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()
}
