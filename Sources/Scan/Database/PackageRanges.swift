// SPDX-License-Identifier: Apache-2.0
public import Foundation

/// What one OSV record says about one package: its `affected[]` entries for that (ecosystem, normalised
/// name), in record order, with exactly the fields `OSVRecord.evaluate` reads (`versions`, and each range's
/// `type` and events). The database stores it next to the lookup key at import (schema version 2), so
/// matching evaluates a record from a few dozen bytes and decodes the record's whole JSON only when it
/// matches.
///
/// The stored form is `CompactWriter`'s binary: lists of entries, each its `versions` and its ranges (type and
/// events); an event is a bit mask of its fields present (introduced 1, fixed 2, last_affected 4, limit 8)
/// followed by their values in that order, so a malformed event (none or several fields) keeps its shape and
/// is reported by evaluation as it would be from the JSON.
public struct PackageRanges: Hashable, Sendable {
    /// The entries, without `package` (the lookup key names it) and without `severity`.
    public var entries: [OSVRecord.Affected]

    public init(entries: [OSVRecord.Affected]) {
        self.entries = entries
    }

    /// The entries of `record` that name `ecosystem` and `name` (as the ecosystem compares names), grouped
    /// per lookup key in the order of their first entry: what import stores for each `packages` row.
    static func grouped(_ record: OSVRecord) -> [(ecosystem: String, name: String, ranges: PackageRanges)] {
        var groups: [(ecosystem: String, name: String, ranges: PackageRanges)] = []
        var positions: [String: Int] = [:]
        for entry in record.affected ?? [] {
            guard let package = entry.package else { continue }
            let name = Ecosystem.normalizedName(package.name, ecosystem: package.ecosystem)
            let key = package.ecosystem + "\u{0}" + name
            let kept = OSVRecord.Affected(package: nil, ranges: entry.ranges, versions: entry.versions)
            if let position = positions[key] {
                groups[position].ranges.entries.append(kept)
            } else {
                positions[key] = groups.count
                groups.append((package.ecosystem, name, PackageRanges(entries: [kept])))
            }
        }
        return groups
    }

    // MARK: - Stored form

    /// The binary form stored in the database (`CompactWriter`'s encoding).
    public var encoded: Data {
        var writer = CompactWriter()
        writer.list(entries) { writer, entry in
            writer.list(entry.versions) { writer, version in writer.string(version) }
            writer.list(entry.ranges) { writer, range in
                writer.string(range.type)
                writer.count(range.events.count)
                for event in range.events {
                    let fields = [event.introduced, event.fixed, event.lastAffected, event.limit]
                    var mask = 0
                    for (bit, field) in fields.enumerated() where field != nil { mask |= 1 << bit }
                    writer.count(mask)
                    for field in fields { if let field { writer.string(field) } }
                }
            }
        }
        return writer.data
    }

    /// Reads the binary form back.
    /// - Throws: `ScanError.invalidRecord` for bytes that are not one (truncated or damaged).
    public init(encoded data: Data) throws {
        let decoded: [OSVRecord.Affected]?
        do {
            decoded = try CompactReader.read(data) { reader in
                try reader.list { reader in
                    let versions = try reader.list { reader in try reader.string() }
                    let ranges = try reader.list { reader -> OSVRecord.Range in
                        let type = try reader.string()
                        var events: [OSVRecord.Event] = []
                        for _ in 0..<(try reader.count()) {
                            let mask = try reader.count()
                            guard mask < 16 else { throw CompactReader.Damaged() }
                            func field(_ bit: Int) throws -> String? { mask & (1 << bit) == 0 ? nil : try reader.string() }
                            let introduced = try field(0)
                            let fixed = try field(1)
                            let lastAffected = try field(2)
                            let limit = try field(3)
                            events.append(.init(introduced: introduced, fixed: fixed, lastAffected: lastAffected, limit: limit))
                        }
                        return OSVRecord.Range(type: type, events: events)
                    }
                    return OSVRecord.Affected(package: nil, ranges: ranges, versions: versions)
                }
            }
        } catch {
            throw ScanError.invalidRecord(id: nil, reason: "damaged stored ranges")
        }
        guard let decoded else { throw ScanError.invalidRecord(id: nil, reason: "damaged stored ranges") }
        entries = decoded
    }
}
