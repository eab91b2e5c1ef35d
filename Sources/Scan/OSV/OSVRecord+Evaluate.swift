// SPDX-License-Identifier: Apache-2.0
import Foundation

extension OSVRecord {
    /// Whether `version` of package `name` in `ecosystem` is affected, per the schema's evaluation
    /// algorithm (https://ossf.github.io/osv-schema/#evaluation): an exact entry in `versions`, or a
    /// `SEMVER`/`ECOSYSTEM` range whose events, sorted by version, leave it vulnerable and which is
    /// before one of its `limit`s (if any). `introduced: "0"` is below every version and a `limit`
    /// of `*` above every one. Withdrawn records never match; `GIT` ranges, unknown range types,
    /// unknown ecosystems and unparsable versions are skipped and listed in `skips`.
    public func evaluate(ecosystem: String, name: String, version: String) -> OSVMatch {
        guard withdrawn == nil else { return OSVMatch(isAffected: false, skips: [OSVSkip(recordID: id, reason: .withdrawn)]) }
        let wanted = Ecosystem.normalizedName(name, ecosystem: ecosystem)
        let entries = (affected ?? []).filter { entry in
            guard let package = entry.package else { return false }
            return package.ecosystem == ecosystem && Ecosystem.normalizedName(package.name, ecosystem: package.ecosystem) == wanted
        }
        return Self.evaluate(entries, recordID: id, ecosystem: ecosystem, version: version)
    }

    /// The same evaluation over a record's entries for one package (`PackageRanges`, as the database stores
    /// them): `entries` are those whose package is the one looked up, in record order. `schemes` may be
    /// shared by evaluations in one task, so versions seen before are not parsed again.
    static func evaluate(
        _ entries: [Affected], recordID id: String, ecosystem: String, version: String,
        schemes: VersionSchemes = VersionSchemes()
    ) -> OSVMatch {
        var match = OSVMatch(isAffected: false)
        for entry in entries {
            if entry.versions?.contains(version) == true {
                match.isAffected = true
                match.reason = "\(version) is listed in affected versions"
            }
            for range in entry.ranges ?? [] {
                let scheme: any VersionScheme
                switch range.type {
                case "GIT":
                    match.skips.append(OSVSkip(recordID: id, reason: .gitRange))
                    continue
                case "SEMVER":
                    scheme = schemes.semVer
                case "ECOSYSTEM":
                    guard let found = schemes.scheme(for: ecosystem) else {
                        match.skips.append(OSVSkip(recordID: id, reason: .unknownEcosystem(ecosystem)))
                        continue
                    }
                    scheme = found
                default:
                    match.skips.append(OSVSkip(recordID: id, reason: .unknownRangeType(range.type)))
                    continue
                }
                do {
                    if let fixed = try Self.evaluate(range, version: version, scheme: scheme) {
                        if !match.isAffected || match.reason?.hasPrefix(version) == true {
                            match.reason = Self.describe(range)
                        }
                        match.isAffected = true
                        if match.fixedVersion == nil { match.fixedVersion = fixed.version }
                    }
                } catch let error as ScanError {
                    if case .invalidVersion = error {
                        match.skips.append(OSVSkip(recordID: id, reason: .invalidVersion(error.description)))
                    } else {
                        match.skips.append(OSVSkip(recordID: id, reason: .invalidRange(error.description)))
                    }
                } catch {
                    match.skips.append(OSVSkip(recordID: id, reason: .invalidRange("\(error)")))
                }
            }
        }
        return match
    }

    /// The fixed version (if any) when `version` is inside `range`, or nil when it is not.
    /// Wrapped in a box so "affected, no fix" differs from "not affected".
    struct Fix { let version: String? }

    static func evaluate(_ range: Range, version: String, scheme: any VersionScheme) throws -> Fix? {
        guard !range.events.isEmpty else { throw ScanError.invalidRecord(id: nil, reason: "a range without events") }
        enum Kind { case introduced, fixed, lastAffected, limit }
        var events: [(kind: Kind, version: String)] = []
        events.reserveCapacity(range.events.count)
        for event in range.events {
            var only: (kind: Kind, version: String)?
            var count = 0
            if let value = event.introduced { (only, count) = ((.introduced, value), count + 1) }
            if let value = event.fixed { (only, count) = ((.fixed, value), count + 1) }
            if let value = event.lastAffected { (only, count) = ((.lastAffected, value), count + 1) }
            if let value = event.limit { (only, count) = ((.limit, value), count + 1) }
            guard count == 1, let only else {
                throw ScanError.invalidRecord(id: nil, reason: "an event with \(count) fields")
            }
            events.append(only)
        }
        try scheme.validate(version)
        // Sentinels: introduced "0" below everything, a limit "*" above everything.
        func order(_ a: (kind: Kind, version: String), _ b: (kind: Kind, version: String)) throws -> Bool {
            func rank(_ e: (kind: Kind, version: String)) -> Int {
                if e.kind == .introduced && e.version == "0" { return -1 }
                if e.kind == .limit && e.version == "*" { return 1 }
                return 0
            }
            let (ra, rb) = (rank(a), rank(b))
            if ra != 0 || rb != 0 { return ra < rb }
            return try scheme.compare(a.version, b.version) == .orderedAscending
        }
        // A stable insertion sort (events are few) that can throw on a bad version.
        var sorted: [(kind: Kind, version: String)] = []
        for event in events {
            var index = sorted.count
            while index > 0, try order(event, sorted[index - 1]) { index -= 1 }
            sorted.insert(event, at: index)
        }
        let limits = events.filter { $0.kind == .limit }
        if !limits.isEmpty {
            var before = false
            for limit in limits where !before {
                before = try limit.version == "*" || scheme.compare(version, limit.version) == .orderedAscending
            }
            guard before else { return nil }
        }
        var vulnerable = false
        var fix: String?
        for event in sorted {
            switch event.kind {
            case .introduced:
                if try event.version == "0" || scheme.compare(version, event.version) != .orderedAscending {
                    vulnerable = true
                    fix = nil
                }
            case .fixed:
                if (try scheme.compare(version, event.version)) != .orderedAscending {
                    vulnerable = false
                } else if vulnerable && fix == nil {
                    fix = event.version
                }
            case .lastAffected:
                if (try scheme.compare(version, event.version)) == .orderedDescending { vulnerable = false }
            case .limit:
                break
            }
        }
        return vulnerable ? Fix(version: fix) : nil
    }

    /// A range for reports: `ECOSYSTEM [introduced 0, fixed 1.2.3]`.
    static func describe(_ range: Range) -> String {
        let events = range.events.map { event -> String in
            if let value = event.introduced { return "introduced \(value)" }
            if let value = event.fixed { return "fixed \(value)" }
            if let value = event.lastAffected { return "last_affected \(value)" }
            if let value = event.limit { return "limit \(value)" }
            return "?"
        }
        return "\(range.type) [\(events.joined(separator: ", "))]"
    }
}
