// SPDX-License-Identifier: Apache-2.0
public import Foundation

extension OCILayout {
    /// Reads index.json.
    /// - Throws: `LayoutError.invalidLayout` when it is missing or malformed.
    public func readIndex() throws(LayoutError) -> ImageIndex { try readVersionedIndex().index }

    /// Reads index.json with the version of what was read: anything derived from the index stays valid while
    /// `indexVersion()` still returns that version.
    /// - Throws: `LayoutError.invalidLayout` when it is missing or malformed.
    public func readVersionedIndex() throws(LayoutError) -> (index: ImageIndex, version: IndexVersion) {
        guard let (data, version) = try storage.readIndex(limit: OCILayout.maxIndexSize) else {
            throw .invalidLayout(path, reason: "index.json is missing")
        }
        if let decoded = DecodedIndexes.shared.index(of: path, decodedFrom: data) { return (decoded, version) }
        let index: ImageIndex
        do { index = try JSONDecoder().decode(ImageIndex.self, from: data) } catch {
            throw .invalidLayout(path, reason: "index.json is malformed: \(Manifest.describe(error))")
        }
        DecodedIndexes.shared.keep(index, of: path, decodedFrom: data)
        return (index, version)
    }

    /// The current version of index.json, without reading it (nil when it is missing): caches compare it with
    /// the version they read.
    public func indexVersion() -> IndexVersion? { storage.indexVersion() }

    /// Read-modify-writes index.json, so concurrent writers in any number of processes all win: the new index
    /// replaces the one `body` saw only if nobody changed it meanwhile (compare-and-swap), else `body` runs
    /// again on the new one. On the file system writers take turns under the layout's exclusive lock, so `body`
    /// runs once. When `body` leaves the index unchanged nothing is written.
    /// - Returns: what `body` returns.
    @discardableResult
    public func updateIndex<T>(_ body: (inout ImageIndex) throws(LayoutError) -> T) throws(LayoutError) -> T {
        try storage.serializingWriters { () throws(LayoutError) -> T in
            while true {
                let (before, version) = try readVersionedIndex()
                var index = before
                let result = try body(&index)
                if index == before { return result }
                if try writeIndex(index, replacing: version) != nil { return result }
            }
        }
    }

    /// Takes a layout directory's exclusive lock; it is held until the returned descriptor is released.
    func lockExclusive() throws(LayoutError) -> FileDescriptor { try FileSystemStorage(root: path).lockExclusive() }

    /// Replaces index.json if it is still at `version` (nil: if there is none).
    /// - Returns: the new version, nil when index.json changed meanwhile.
    @discardableResult
    func writeIndex(_ index: ImageIndex, replacing version: IndexVersion?) throws(LayoutError) -> IndexVersion? {
        let data: Data
        do { data = try JSONEncoder.ocitool.encode(index) } catch {
            throw .invalidLayout(path, reason: "cannot encode index.json: \(error)")
        }
        return try storage.replaceIndex(with: data, ifVersion: version)
    }

    /// Replaces index.json, which must still be at `version`: for writers that hold `serializingWriters` all
    /// along (gc, deletes), which no other writer can interleave with on the file system.
    /// - Throws: `.invalidLayout` when another writer changed it anyway (a storage without locks).
    func replaceIndex(_ index: ImageIndex, at version: IndexVersion) throws(LayoutError) {
        guard try writeIndex(index, replacing: version) != nil else {
            throw .invalidLayout(path, reason: "index.json changed meanwhile; try again")
        }
    }
}

extension JSONEncoder {
    /// The one encoder for JSON that ocitool itself creates (index.json, generated manifests): sorted keys and
    /// unescaped slashes, so the same content always gives the same bytes and digest.
    public static var ocitool: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}

/// The last decoded index.json of recently read layouts, with the bytes it was decoded from, so that reading
/// an unchanged index skips decoding it again (a layout with 2,000 tags has half a megabyte of index JSON).
/// Keyed by content, not by file stamps: a byte comparison costs microseconds, and coarse timestamps with
/// reused inodes cannot make it return another index.
final class DecodedIndexes: Sendable {
    static let shared = DecodedIndexes()
    /// Layouts remembered at once; past that the memory starts over.
    private static let capacity = 64
    private let entries = Locked<[String: (data: Data, index: ImageIndex)]>([:])

    func index(of path: String, decodedFrom data: Data) -> ImageIndex? {
        entries.withLock { (entries) in entries[path].flatMap { $0.data == data ? $0.index : nil } }
    }

    func keep(_ index: ImageIndex, of path: String, decodedFrom data: Data) {
        entries.withLock { (entries) in
            if entries.count >= Self.capacity, entries[path] == nil { entries.removeAll() }
            entries[path] = (data, index)
        }
    }
}
