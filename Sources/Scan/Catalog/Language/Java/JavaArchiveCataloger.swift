// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout

/// Java archives (`.jar`, `.war`, `.ear` and the other zip-based formats syft reads) and the archives nested in
/// them (`WEB-INF/lib/*.jar`, Spring Boot's `BOOT-INF/lib/*.jar`): one package per `pom.properties`, else one
/// from the manifest and file name. Read as a zip stream straight from the layer, a nested archive straight from
/// its entry's data: nothing is spooled and nothing is written. Bounded against zip bombs: nesting depth, total
/// entries and total bytes inflated.
public struct JavaArchiveCataloger: Cataloger {
    /// The extensions syft reads as Java archives.
    public static let extensions: Set<String> = [
        "jar", "war", "ear", "par", "sar", "nar", "jpi", "hpi", "kar", "far", "lpkg", "rar",
    ]

    public var limits: Limits

    /// Bounds on the work one top-level archive may cause.
    public struct Limits: Hashable, Sendable {
        /// Archives read inside archives (a war's jar is depth 1).
        public var depth: Int
        /// Entries read, over every nesting level.
        public var entries: Int
        /// Bytes inflated and read from entries, over every nesting level.
        public var inflatedBytes: Int64

        public init(depth: Int = 4, entries: Int = 200_000, inflatedBytes: Int64 = 4 << 30) {
            self.depth = depth
            self.entries = entries
            self.inflatedBytes = inflatedBytes
        }
    }

    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    public var kind: CatalogedPackage.Kind { .java }

    public func wants(_ entry: CatalogEntry) -> Bool { Self.isJavaArchive(entry.path) }

    static func isJavaArchive(_ path: String) -> Bool {
        guard let dot = path.lastIndex(of: "."), !path[path.index(after: dot)...].contains("/") else { return false }
        return extensions.contains(path[path.index(after: dot)...].lowercased())
    }

    public func catalog(_ file: inout CatalogFile, context: CatalogContext, skips: inout [CatalogSkip]) throws
        -> [CatalogedPackage]
    {
        let location = file.location
        let layer = file.layer
        let path = file.path
        var walk = JavaArchiveWalk(limits: limits, topPath: path)
        // A copy of `file` reads the same stream (its state is the layer's, not the struct's).
        let source = LeadingBytesSkipper(file: file)
        do {
            let reader = try ZipStreamReader(name: path, read: source.read)
            try walk.walk(reader, path: path, depth: 0)
        } catch let failure as LayerReadFailure {
            throw failure.underlying
        } catch let limit as JavaArchiveWalk.LimitReached {
            walk.skip(path, limit.description)
        } catch let error as LayoutError {
            walk.skip(path, "not a readable zip archive: \(error)")
        }
        skips += walk.skips.map { CatalogSkip(path: $0.path, layer: layer, reason: $0.reason) }
        return walk.identities.map { identity in
            CatalogedPackage(
                kind: .java, name: identity.name, version: identity.version, purl: identity.purl,
                ecosystem: identity.groupID == nil ? nil : "Maven", licenses: identity.licenses, location: location)
        }
    }
}

/// Drops what precedes the first local file header in the first 1 MiB (the launch script of a "fully executable"
/// Spring Boot jar), so the zip stream begins where libarchive expects it.
private final class LeadingBytesSkipper {
    private var file: CatalogFile
    private var started = false
    private var head: [UInt8] = []

    init(file: CatalogFile) { self.file = file }

    private func source(_ buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        do {
            return try file.read(into: buffer)
        } catch {
            throw LayerReadFailure(underlying: error)
        }
    }

    func read(_ buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if started {
            guard !head.isEmpty else { return try source(buffer) }
            let count = min(buffer.count, head.count)
            buffer.copyBytes(from: head[..<count])
            head.removeFirst(count)
            return count
        }
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 << 10, alignment: 16)
        defer { chunk.deallocate() }
        while !started {
            let count = try source(chunk)
            head.append(contentsOf: chunk[..<count])
            if let start = Self.localHeader(in: head) {
                head.removeFirst(start)
                started = true
            } else if count == 0 || head.count > 1 << 20 {
                started = true  // not a zip: libarchive says so
            }
        }
        return try read(buffer)
    }

    private static func localHeader(in bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in 0...(bytes.count - 4)
        where bytes[index] == 0x50 && bytes[index + 1] == 0x4b && bytes[index + 2] == 3 && bytes[index + 3] == 4 {
            return index
        }
        return nil
    }
}

/// An error reading the layer itself (not the zip in it): the cataloger rethrows it as it was.
private struct LayerReadFailure: Error {
    let underlying: any Error
}
