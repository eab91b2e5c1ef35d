// SPDX-License-Identifier: Apache-2.0
public import Foundation
public import Layout

/// Finds packages in the files of one layer. The layer walker offers each regular file (after
/// nothing but its header has been read) to every cataloger's `wants`; the file's contents are then
/// read once, as the layer decompresses, and handed to the catalogers that wanted it.
///
/// Catalogers are per file and per layer, so their results can be cached by layer digest; the
/// walker resolves what later layers overwrite or white out.
public protocol Cataloger: Sendable {
    /// The package kind it reports.
    var kind: CatalogedPackage.Kind { get }

    /// True for a file whose contents this cataloger reads. `path` is relative to the image root,
    /// without a leading `/` (`var/lib/dpkg/status`, `usr/lib/python3/dist-packages/x.dist-info/METADATA`).
    func wants(_ entry: CatalogEntry) -> Bool

    /// The packages one file holds. Read its contents through `file` (once; stop early if done).
    /// Throws for a file it cannot read at all; malformed parts it can skip go in `skips`.
    func catalog(_ file: inout CatalogFile, context: CatalogContext, skips: inout [CatalogSkip]) throws
        -> [CatalogedPackage]

    /// Part of the per-layer cache key: change it when what the cataloger reports for the same file changes,
    /// so cached layer results made by the old version are not used. "1" by default.
    var cacheVersion: String { get }
}

extension Cataloger {
    public var cacheVersion: String { "1" }
}

/// A file as the layer's tar header describes it.
public struct CatalogEntry: Hashable, Sendable {
    public var path: String
    public var size: Int64
    /// Any execute bit set in the mode.
    public var isExecutable: Bool

    public init(path: String, size: Int64, isExecutable: Bool) {
        self.path = path
        self.size = size
        self.isExecutable = isExecutable
    }

    /// The last path component.
    public var name: Substring { path.split(separator: "/").last ?? Substring(path) }
}

/// One file's contents, streamed once from the layer.
public struct CatalogFile {
    public let entry: CatalogEntry
    /// The layer blob's digest (as the manifest lists it).
    public let layer: Digest?
    private let readChunk: (UnsafeMutableRawBufferPointer) throws -> Int

    /// `readChunk` fills the buffer with the next bytes and returns how many (0 at the end).
    public init(entry: CatalogEntry, layer: Digest?, readChunk: @escaping (UnsafeMutableRawBufferPointer) throws -> Int) {
        self.entry = entry
        self.layer = layer
        self.readChunk = readChunk
    }

    public var path: String { entry.path }

    /// The location packages found in this file report.
    public var location: CatalogedPackage.Location { .init(layer: layer, path: entry.path) }

    /// Reads the next bytes into `buffer`; 0 at the end.
    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        try readChunk(buffer)
    }

    /// Calls `body` with each chunk in order until the end or until it returns false.
    public mutating func forEachChunk(_ body: (UnsafeRawBufferPointer) throws -> Bool) throws {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 << 10, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let count = try readChunk(buffer)
            if count == 0 { return }
            guard try body(UnsafeRawBufferPointer(rebasing: buffer[..<count])) else { return }
        }
    }

    /// The whole file, refused past `limit` bytes (a metadata file larger than that is hostile).
    public mutating func readAll(limit: Int) throws -> Data {
        guard entry.size <= Int64(limit) else {
            throw ScanError.inputTooLarge(what: entry.path, size: Int(clamping: entry.size), limit: limit)
        }
        let path = entry.path
        var data = Data(capacity: Int(entry.size))
        try forEachChunk { chunk in
            guard data.count + chunk.count <= limit else {
                throw ScanError.inputTooLarge(what: path, size: data.count + chunk.count, limit: limit)
            }
            data.append(contentsOf: chunk)
            return true
        }
        return data
    }
}

/// What a cataloger knows about the image beyond the file: the distribution, read first from
/// `etc/os-release` (or `usr/lib/os-release`) of the final filesystem.
public struct CatalogContext: Sendable {
    public var distro: Distro?

    public init(distro: Distro?) {
        self.distro = distro
    }
}

/// The operating system an image declares in os-release.
public struct Distro: Codable, Hashable, Sendable {
    /// `ID` (`debian`, `alpine`, `rhel`, `rocky`, `almalinux`, `ubuntu`, …).
    public var id: String
    /// `VERSION_ID` (`12`, `3.19.1`, `9.3`), if present.
    public var versionID: String?
    /// `PRETTY_NAME`, if present.
    public var prettyName: String?

    public init(id: String, versionID: String?, prettyName: String?) {
        self.id = id
        self.versionID = versionID
        self.prettyName = prettyName
    }
}

/// Something a cataloger or the walker did not read, and why: counted and reported, never silent.
public struct CatalogSkip: Codable, Hashable, Sendable, CustomStringConvertible {
    public var path: String
    public var layer: Digest?
    public var reason: String

    public init(path: String, layer: Digest?, reason: String) {
        self.path = path
        self.layer = layer
        self.reason = reason
    }

    public var description: String { "\(path): \(reason)" }
}
