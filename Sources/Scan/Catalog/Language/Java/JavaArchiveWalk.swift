// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout

/// One top-level Java archive's walk: its entries in stream order, the archives nested in it read from their
/// entries' data, the identities found at every level and what was skipped, within `limits`.
struct JavaArchiveWalk {
    let limits: JavaArchiveCataloger.Limits
    /// Packages found, in the order their archives ended (nested ones before the archive holding them).
    private(set) var identities: [JavaArchiveIdentity] = []
    private(set) var skips: [(path: String, reason: String)] = []
    private var entries = 0
    private let meter: InflateMeter
    private var seen: Set<JavaArchiveIdentity> = []

    /// Stops the whole walk: the archive asked for more work than the limits allow.
    struct LimitReached: Error, CustomStringConvertible {
        let description: String
    }

    /// An error of the stream a nested archive is read from (not of the nested archive itself).
    private struct OuterFailure: Error {
        let underlying: any Error
    }

    static let pomLimit = 64 << 10
    static let manifestLimit = 1 << 20

    init(limits: JavaArchiveCataloger.Limits, topPath: String) {
        self.limits = limits
        self.meter = InflateMeter(limit: limits.inflatedBytes)
    }

    mutating func skip(_ path: String, _ reason: String) {
        skips.append((path, reason))
    }

    /// Reads every entry of `reader` (an archive at `path`, `outer.war:WEB-INF/lib/x.jar` when nested).
    mutating func walk(_ reader: ZipStreamReader, path: String, depth: Int) throws {
        var poms: [JavaArchiveIdentity] = []
        var manifest: HeaderFields?
        var escaping = 0
        while let entry = try reader.nextEntry() {
            entries += 1
            guard entries <= limits.entries else {
                throw LimitReached(description: "more than \(limits.entries) zip entries; stopped reading (zip bomb?)")
            }
            if entry.isDirectory { continue }
            let components = entry.path.split(separator: "/")
            if entry.path.hasPrefix("/") || components.contains("..") {
                escaping += 1
                try drain(reader, entry)
                continue
            }
            if components.count >= 5, components.last == "pom.properties",
                components[components.count - 5] == "META-INF", components[components.count - 4] == "maven"
            {
                let text = try readSmall(reader, entry, limit: Self.pomLimit, path: "\(path):\(entry.path)")
                if let text {
                    if let identity = JavaArchiveIdentity(pomProperties: text) {
                        poms.append(identity)
                    } else {
                        skip("\(path):\(entry.path)", "pom.properties without groupId, artifactId and version")
                    }
                }
            } else if entry.path.caseInsensitiveCompare("META-INF/MANIFEST.MF") == .orderedSame {
                if let text = try readSmall(reader, entry, limit: Self.manifestLimit, path: "\(path):\(entry.path)") {
                    manifest = HeaderFields(text, continuation: .manifest)
                }
            } else if JavaArchiveCataloger.isJavaArchive(entry.path) {
                try nested(reader, entry, path: "\(path):\(entry.path)", depth: depth + 1)
            } else {
                try drain(reader, entry)
            }
        }
        if escaping > 0 {
            skip(path, "\(escaping) entries named outside the archive (absolute or `..`); not read")
        }
        if poms.isEmpty {
            if let identity = JavaArchiveIdentity(manifest: manifest, fileName: path) {
                record(identity)
            } else {
                skip(path, "no pom.properties, and no version in MANIFEST.MF or the file name; not cataloged")
            }
        } else {
            poms.forEach { record($0) }
        }
    }

    private mutating func record(_ identity: JavaArchiveIdentity) {
        if seen.insert(identity).inserted { identities.append(identity) }
    }

    /// Walks the archive held in the current entry, reading it from the entry's data.
    private mutating func nested(_ reader: ZipStreamReader, _ entry: ZipStreamReader.Entry, path: String, depth: Int)
        throws
    {
        guard depth <= limits.depth else {
            skip(path, "archive nested more than \(limits.depth) levels deep; not read")
            try drain(reader, entry)
            return
        }
        let meter = self.meter
        let read: (UnsafeMutableRawBufferPointer) throws -> Int = { buffer in
            let count: Int
            do {
                count = try reader.read(into: buffer)
            } catch {
                throw OuterFailure(underlying: error)
            }
            try meter.add(count)
            return count
        }
        do {
            try walk(try ZipStreamReader(name: path, read: read), path: path, depth: depth)
        } catch let failure as OuterFailure {
            throw failure.underlying
        } catch let limit as LimitReached {
            throw limit
        } catch {
            skip(path, "nested archive not readable: \(error)")
        }
    }

    /// Reads a small metadata entry whole; nil (and a skip) past `limit`.
    private mutating func readSmall(_ reader: ZipStreamReader, _ entry: ZipStreamReader.Entry, limit: Int, path: String)
        throws -> String?
    {
        var data = Data()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 << 10, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let count = try reader.read(into: buffer)
            if count == 0 { break }
            try account(count)
            guard data.count + count <= limit else {
                skip(path, "larger than \(limit) bytes; not read")
                try drain(reader, entry)
                return nil
            }
            data.append(contentsOf: buffer[..<count])
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Moves past the current entry: skipped where its size is known (nothing inflated), else read through and
    /// counted against the inflate limit (a data-descriptor entry must be inflated to find its end).
    private mutating func drain(_ reader: ZipStreamReader, _ entry: ZipStreamReader.Entry) throws {
        if entry.size != nil {
            try reader.skipData()
            return
        }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 << 10, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let count = try reader.read(into: buffer)
            if count == 0 { return }
            try account(count)
        }
    }

    private func account(_ count: Int) throws {
        try meter.add(count)
    }
}

/// The bytes inflated so far over every nesting level of one walk, shared with the nested readers' sources.
private final class InflateMeter {
    let limit: Int64
    private var total: Int64 = 0

    init(limit: Int64) { self.limit = limit }

    func add(_ count: Int) throws {
        total += Int64(count)
        guard total <= limit else {
            throw JavaArchiveWalk.LimitReached(
                description: "more than \(limit) bytes inflated; stopped reading (zip bomb?)")
        }
    }
}
