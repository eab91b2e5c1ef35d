// SPDX-License-Identifier: Apache-2.0
public import Foundation
import Glibc

extension OCILayout {
    /// Reads index.json.
    /// - Throws: `LayoutError.invalidLayout` when it is missing or malformed.
    public func readIndex() throws(LayoutError) -> ImageIndex {
        let data: Data
        do {
            data = try FileSystem.readFile(indexPath, limit: OCILayout.maxIndexSize)
        } catch .io(_, _, let code) where code == ENOENT {
            throw .invalidLayout(path, reason: "index.json is missing")
        }
        do {
            return try JSONDecoder().decode(ImageIndex.self, from: data)
        } catch {
            throw .invalidLayout(path, reason: "index.json is malformed: \(Manifest.describe(error))")
        }
    }

    /// Read-modify-writes index.json under the layout's exclusive lock, so concurrent writers in any number of
    /// processes all win. The new index is written to a temporary file, fsynced and renamed into place; when
    /// `body` leaves the index unchanged nothing is written.
    /// - Returns: what `body` returns.
    @discardableResult
    public func updateIndex<T>(_ body: (inout ImageIndex) throws(LayoutError) -> T) throws(LayoutError) -> T {
        let lock = try lockExclusive()
        defer { withExtendedLifetime(lock) {} }
        var index = try readIndex()
        let before = index
        let result = try body(&index)
        if index != before { try writeIndex(index) }
        return result
    }

    /// Takes the layout's exclusive lock; it is held until the returned descriptor is released.
    func lockExclusive() throws(LayoutError) -> FileDescriptor {
        try FileSystem.makeDirectories(privatePath)
        let lock = try FileDescriptor(path: lockPath, flags: O_RDWR | O_CREAT, mode: 0o644)
        try lock.lockExclusive()
        return lock
    }

    func writeIndex(_ index: ImageIndex) throws(LayoutError) {
        let data: Data
        do { data = try JSONEncoder.ocitool.encode(index) } catch {
            throw .invalidLayout(path, reason: "cannot encode index.json: \(error)")
        }
        try FileSystem.writeAtomically(data, to: indexPath)
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
