// SPDX-License-Identifier: Apache-2.0
public import Foundation

/// One OSV vulnerability record, as far as matching needs it.
///
/// Spec: https://ossf.github.io/osv-schema/ (1.6). Unknown fields are ignored, so newer records
/// still decode; what matching depends on (`id`, range `type`s, events) is checked when the record
/// is evaluated, and a part that cannot be used is a counted skip with its reason, never a guess.
public struct OSVRecord: Codable, Hashable, Sendable {
    /// The largest record `decode(_:)` accepts (the biggest published records are a few hundred KiB).
    public static let defaultSizeLimit = 4 << 20

    public let id: String
    public let modified: String?
    public let published: String?
    /// Set when the record was withdrawn; such a record never matches.
    public let withdrawn: String?
    public let aliases: [String]?
    /// Upstream ids the record is about (Debian's and Alpine's records name their CVE here).
    public let upstream: [String]?
    public let summary: String?
    public let severity: [Severity]?
    public let affected: [Affected]?
    public let databaseSpecific: DatabaseSpecific?

    enum CodingKeys: String, CodingKey {
        case id, modified, published, withdrawn, aliases, upstream, summary, severity, affected
        case databaseSpecific = "database_specific"
    }

    public init(
        id: String, modified: String? = nil, published: String? = nil, withdrawn: String? = nil,
        aliases: [String]? = nil, upstream: [String]? = nil, summary: String? = nil, severity: [Severity]? = nil,
        affected: [Affected]? = nil, databaseSpecific: DatabaseSpecific? = nil
    ) {
        self.id = id
        self.modified = modified
        self.published = published
        self.withdrawn = withdrawn
        self.aliases = aliases
        self.upstream = upstream
        self.summary = summary
        self.severity = severity
        self.affected = affected
        self.databaseSpecific = databaseSpecific
    }

    /// Decodes one record from JSON bytes, refusing more than `limit` bytes.
    /// - Throws: `ScanError.inputTooLarge` past the cap, `ScanError.invalidRecord` for JSON that is
    ///   not an OSV record (not an object, `id` missing, a field of the wrong type).
    public static func decode(_ data: Data, limit: Int = defaultSizeLimit) throws -> OSVRecord {
        guard data.count <= limit else { throw ScanError.inputTooLarge(what: "OSV record", size: data.count, limit: limit) }
        do {
            let record = try JSONDecoder().decode(OSVRecord.self, from: data)
            guard !record.id.isEmpty else { throw ScanError.invalidRecord(id: nil, reason: "empty id") }
            return record
        } catch let error as ScanError {
            throw error
        } catch let error as DecodingError {
            throw ScanError.invalidRecord(id: nil, reason: Self.describe(error))
        } catch {
            throw ScanError.invalidRecord(id: nil, reason: "\(error)")
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        }
        switch error {
        case .keyNotFound(let key, let context): return "missing \(path(context)).\(key.stringValue)"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "wrong type at \(path(context)): \(context.debugDescription)"
        case .dataCorrupted(let context): return "malformed JSON \(path(context)): \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}

extension OSVRecord {
    /// A `severity[]` entry: a scoring system and its vector.
    public struct Severity: Codable, Hashable, Sendable {
        /// `CVSS_V2`, `CVSS_V3`, `CVSS_V4`, `Ubuntu`, … (kept as published).
        public let type: String
        public let score: String

        public init(type: String, score: String) {
            self.type = type
            self.score = score
        }
    }

    /// The `database_specific` fields matching reads: a textual severity some databases publish.
    public struct DatabaseSpecific: Codable, Hashable, Sendable {
        public let severity: String?

        public init(severity: String?) { self.severity = severity }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            // Databases put anything here; a severity that is not a string is simply absent.
            severity = try? container.decodeIfPresent(String.self, forKey: .severity)
        }
    }

    /// One `affected[]` entry: a package and the versions of it the vulnerability affects.
    public struct Affected: Codable, Hashable, Sendable {
        public let package: Package?
        public let ranges: [Range]?
        public let versions: [String]?
        public let severity: [Severity]?

        public init(package: Package?, ranges: [Range]? = nil, versions: [String]? = nil, severity: [Severity]? = nil) {
            self.package = package
            self.ranges = ranges
            self.versions = versions
            self.severity = severity
        }
    }

    /// `affected[].package`.
    public struct Package: Codable, Hashable, Sendable {
        /// `Debian:12`, `Alpine:v3.19`, `PyPI`, `npm`, `Go`, `Maven`, `Red Hat:…`, …
        public let ecosystem: String
        public let name: String
        public let purl: String?

        public init(ecosystem: String, name: String, purl: String? = nil) {
            self.ecosystem = ecosystem
            self.name = name
            self.purl = purl
        }
    }

    /// `affected[].ranges[]`: a range type (`ECOSYSTEM`, `SEMVER`, `GIT`, or one this version does not
    /// know, kept as published) and its events.
    public struct Range: Codable, Hashable, Sendable {
        public let type: String
        public let repo: String?
        public let events: [Event]

        public init(type: String, repo: String? = nil, events: [Event]) {
            self.type = type
            self.repo = repo
            self.events = events
        }
    }

    /// One range event: exactly one of its fields is set in a valid record.
    public struct Event: Codable, Hashable, Sendable {
        public let introduced: String?
        public let fixed: String?
        public let lastAffected: String?
        public let limit: String?

        enum CodingKeys: String, CodingKey {
            case introduced, fixed, limit
            case lastAffected = "last_affected"
        }

        public init(introduced: String? = nil, fixed: String? = nil, lastAffected: String? = nil, limit: String? = nil) {
            self.introduced = introduced
            self.fixed = fixed
            self.lastAffected = lastAffected
            self.limit = limit
        }

        public static func introduced(_ version: String) -> Event { Event(introduced: version) }
        public static func fixed(_ version: String) -> Event { Event(fixed: version) }
        public static func lastAffected(_ version: String) -> Event { Event(lastAffected: version) }
        public static func limit(_ version: String) -> Event { Event(limit: version) }
    }
}
