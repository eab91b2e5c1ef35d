// SPDX-License-Identifier: Apache-2.0
public import Foundation

/// What `ocitool db status` reports: the database's size by ecosystem, its freshness and its history.
public struct DatabaseStatus: Codable, Hashable, Sendable {
    public var path: String
    public var schemaVersion: Int
    /// When the last import committed (the database's build time; freshness is measured from it).
    public var builtAt: Date?
    /// Records stored, withdrawn ones included.
    public var records: Int
    public var withdrawn: Int
    /// The newest `modified` of any record, as published.
    public var newestModified: String?
    public var ecosystems: [EcosystemCount]
    /// The most recent imports, newest first (at most 10).
    public var imports: [ImportSummary]

    /// Records with an `affected[]` entry in one ecosystem (`Debian:12`, `PyPI`, …).
    public struct EcosystemCount: Codable, Hashable, Sendable {
        public var ecosystem: String
        public var records: Int
    }

    /// One import as the database remembers it.
    public struct ImportSummary: Codable, Hashable, Sendable {
        public var importedAt: String
        public var sources: [String]
        public var added: Int
        public var replaced: Int
        public var unchanged: Int
        public var older: Int
        public var skipped: Int
    }

    /// The database's age at `now`, from its build time (nil when it was never built).
    public func age(at now: Date) -> TimeInterval? { builtAt.map { now.timeIntervalSince($0) } }
}

extension VulnerabilityDatabase {
    /// Counts and times for `db status`.
    public func status() throws -> DatabaseStatus {
        var records = 0
        var withdrawn = 0
        var newest: String?
        try connection.prepare("SELECT count(*), coalesce(sum(withdrawn), 0) FROM records").query([]) { row in
            records = Int(row.int(0))
            withdrawn = Int(row.int(1))
        }
        try connection.prepare("SELECT modified FROM records ORDER BY modified_ms DESC LIMIT 1").query([]) {
            newest = $0.text(0)
        }
        var ecosystems: [DatabaseStatus.EcosystemCount] = []
        try connection.prepare(
            "SELECT ecosystem, count(DISTINCT record_id) FROM packages GROUP BY ecosystem ORDER BY ecosystem"
        ).query([]) { row in
            ecosystems.append(.init(ecosystem: row.text(0) ?? "", records: Int(row.int(1))))
        }
        var imports: [DatabaseStatus.ImportSummary] = []
        try connection.prepare(
            "SELECT imported_at, sources, added, replaced, unchanged, older, skipped FROM imports ORDER BY id DESC LIMIT 10"
        ).query([]) { row in
            let sources = (try? JSONDecoder().decode([String].self, from: Data((row.text(1) ?? "[]").utf8))) ?? []
            imports.append(
                .init(
                    importedAt: row.text(0) ?? "", sources: sources, added: Int(row.int(2)), replaced: Int(row.int(3)),
                    unchanged: Int(row.int(4)), older: Int(row.int(5)), skipped: Int(row.int(6))))
        }
        return DatabaseStatus(
            path: path, schemaVersion: Int(try meta("schema_version") ?? "") ?? 0,
            builtAt: try meta("built_at").flatMap(Self.parseTimestamp), records: records, withdrawn: withdrawn,
            newestModified: newest, ecosystems: ecosystems, imports: imports)
    }
}
