// SPDX-License-Identifier: Apache-2.0

/// What one `db import` did: records added, replaced by newer ones, left alone, and what was skipped.
public struct ImportReport: Codable, Hashable, Sendable {
    /// The files and directories given.
    public var sources: [String]
    /// Records new to the database.
    public var added = 0
    /// Records that replaced an older copy (same id, newer `modified`).
    public var replaced = 0
    /// Records whose copy in the database has the same `modified`.
    public var unchanged = 0
    /// Records older than the copy in the database (kept the newer one).
    public var older = 0
    /// Withdrawn records stored (they never match, but a newer withdrawal must replace an older record).
    public var withdrawn = 0
    /// `GIT` ranges stored: ignored by matching, by design.
    public var gitRanges = 0
    /// Records or zip members not stored, each with its reason (malformed, oversized, unsafe path).
    public var skipped: [ImportIssue] = []
    /// Records stored whose parts matching cannot evaluate (an unknown range type, a bad version): the
    /// rest of the record still matches, and the scan reports the part it skipped.
    public var warnings: [ImportIssue] = []
    /// Records (by affected ecosystem) in ecosystems without a version order here: stored, and matched
    /// by explicit `versions` lists only.
    public var unorderedEcosystems: [String: Int] = [:]

    public init(sources: [String]) { self.sources = sources }

    /// Records read, stored or not.
    public var recordsRead: Int { added + replaced + unchanged + older + skipped.count }
}

/// A record or file an import skipped or stored with a warning.
public struct ImportIssue: Codable, Hashable, Sendable, CustomStringConvertible {
    /// The file, or `ZIP!member`.
    public var source: String
    /// The record's id, when it was read.
    public var id: String?
    public var reason: String

    public init(source: String, id: String? = nil, reason: String) {
        self.source = source
        self.id = id
        self.reason = reason
    }

    public var description: String { "\(source)\(id.map { " (\($0))" } ?? ""): \(reason)" }
}
