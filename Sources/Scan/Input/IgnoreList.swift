// SPDX-License-Identifier: Apache-2.0
public import Foundation
import Yams

/// Vulnerabilities a user accepts: a `.trivyignore` file (one id per line, `#` comments, trivy's
/// optional `exp:YYYY-MM-DD`) or a YAML file of entries with an id, an optional package and an
/// optional expiry (`expired_at` as trivy's `.trivyignore.yaml`, or `expires`). An entry matches a
/// finding by its id or any alias; an expired entry no longer ignores, and the report says so.
public struct IgnoreList: Sendable {
    public struct Entry: Sendable, Hashable {
        /// A record id or alias (`CVE-2023-4911`, `GHSA-…`).
        public var id: String
        /// A package name, or a purl (without version: any version), limiting the entry to that package.
        public var packages: [String]
        public var expires: Date?
        /// The expiry as written.
        public var expiresText: String?
        public var statement: String?
        /// The line the entry starts on.
        public var line: Int

        public func isExpired(at now: Date) -> Bool { expires.map { $0 <= now } ?? false }
    }

    /// The file, for reports.
    public var source: String
    public var entries: [Entry]

    /// Reads an ignore file: YAML when its name ends in `.yaml`/`.yml` or its first entry looks like
    /// YAML (`vulnerabilities:` or `- id:`), else the line format.
    /// - Throws: `ScanError.invalidInput` for an unreadable file, malformed YAML, an entry without an
    ///   id, or a date that is not `YYYY-MM-DD` (or RFC 3339).
    public static func load(path: String) throws -> IgnoreList {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ScanError.invalidInput(what: path, reason: "cannot read the ignore file")
        }
        guard data.count <= 16 << 20 else { throw ScanError.inputTooLarge(what: path, size: data.count, limit: 16 << 20) }
        let text = String(decoding: data, as: UTF8.self)
        let yaml =
            path.hasSuffix(".yaml") || path.hasSuffix(".yml")
            || text.split(separator: "\n").contains { $0.hasPrefix("vulnerabilities:") || $0.hasPrefix("- id:") }
        return yaml ? try parseYAML(text, source: path) : try parseLines(text, source: path)
    }

    /// `.trivyignore`: `ID [exp:YYYY-MM-DD]` per line, `#` starts a comment.
    public static func parseLines(_ text: String, source: String) throws -> IgnoreList {
        var entries: [Entry] = []
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            guard let id = fields.first else { continue }
            var entry = Entry(id: String(id), packages: [], line: number + 1)
            for field in fields.dropFirst() {
                guard field.hasPrefix("exp:") else {
                    throw ScanError.invalidInput(
                        what: "\(source):\(number + 1)", reason: "unexpected \"\(field)\" (one id per line, then exp:YYYY-MM-DD)")
                }
                let date = String(field.dropFirst(4))
                entry.expires = try parseDate(date, at: "\(source):\(number + 1)")
                entry.expiresText = date
            }
            entries.append(entry)
        }
        return IgnoreList(source: source, entries: entries)
    }

    /// YAML: a list of entries, or trivy's `vulnerabilities:` list; each entry `id`, optional `package`
    /// or `purls`, `expired_at` or `expires`, `statement`.
    public static func parseYAML(_ text: String, source: String) throws -> IgnoreList {
        let root: Any?
        do { root = try Yams.load(yaml: text) } catch {
            throw ScanError.invalidInput(what: source, reason: "malformed YAML: \(error)")
        }
        let items: [Any]
        if let list = root as? [Any] {
            items = list
        } else if let map = root as? [String: Any], let list = map["vulnerabilities"] as? [Any] {
            items = list
        } else if root == nil {
            items = []
        } else {
            throw ScanError.invalidInput(what: source, reason: "expected a list of entries or a vulnerabilities: list")
        }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        var idLines = lines.enumerated().filter { $0.element.contains("id:") }.map { $0.offset + 1 }.makeIterator()
        var entries: [Entry] = []
        for (index, item) in items.enumerated() {
            let line = idLines.next() ?? 0
            let place = "\(source): entry \(index + 1)"
            guard let map = item as? [String: Any] else { throw ScanError.invalidInput(what: place, reason: "not a mapping") }
            guard let id = map["id"].map({ "\($0)" }), !id.isEmpty else {
                throw ScanError.invalidInput(what: place, reason: "no id")
            }
            var packages: [String] = []
            if let package = map["package"] { packages.append("\(package)") }
            if let purls = map["purls"] as? [Any] { packages += purls.map { "\($0)" } }
            var entry = Entry(id: id, packages: packages, statement: map["statement"].map { "\($0)" }, line: line)
            if let value = map["expired_at"] ?? map["expires"] {
                if let date = value as? Date {
                    entry.expires = date
                    entry.expiresText = VulnerabilityDatabase.timestamp(date)
                } else {
                    let text = "\(value)"
                    entry.expires = try parseDate(text, at: place)
                    entry.expiresText = text
                }
            }
            entries.append(entry)
        }
        return IgnoreList(source: source, entries: entries)
    }

    /// The unexpired entry that ignores `finding`, if any.
    public func entry(for finding: Finding, at now: Date) -> Entry? {
        entries.first { entry in
            guard !entry.isExpired(at: now), finding.names.contains(entry.id) else { return false }
            return entry.packages.isEmpty || entry.packages.contains { Self.package($0, matches: finding.package) }
        }
    }

    /// A package name (or source name), or a purl whose type, namespace, name (and version, if given) match.
    static func package(_ wanted: String, matches package: Finding.Package) -> Bool {
        guard let purl = PackageURL(wanted) else { return wanted == package.name || wanted == package.sourceName }
        guard let actual = PackageURL(package.purl) else { return false }
        return purl.type == actual.type && purl.namespace == actual.namespace && purl.name == actual.name
            && (purl.version == nil || purl.version == actual.version)
    }

    /// `YYYY-MM-DD` (the entry expires at 00:00 UTC that day, as trivy's do) or RFC 3339.
    static func parseDate(_ text: String, at place: String) throws -> Date {
        if let date = VulnerabilityDatabase.parseTimestamp(text) { return date }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        guard let day = formatter.date(from: text) else {
            throw ScanError.invalidInput(what: place, reason: "\"\(text)\" is not a date (YYYY-MM-DD)")
        }
        return day
    }
}
