// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout

/// Reads one layer blob once, as it streams: offers each regular file to the catalogers, reads the files
/// they want, records whiteouts, opaque directories and `os-release` files. Nothing is unpacked to disk.
struct LayerWalker {
    var catalogers: [any Cataloger]
    /// Largest `os-release` read.
    static let osReleaseLimit = 64 << 10
    /// Largest file buffered for several catalogers that want the same file.
    static let sharedFileLimit = 64 << 20

    /// - Throws: `ScanError.invalidLayer` when the blob is not a tar archive (or is corrupt), the source's errors,
    ///   and `LayoutError.digestMismatch`/`.sizeMismatch` when the blob is not what the descriptor says.
    func walk(_ layer: Descriptor, in source: any ImageSource) throws -> LayerCatalog {
        let stream = VerifyingBlobStream(try source.openBlob(layer, from: 0), descriptor: layer)
        defer { stream.close() }
        var result = LayerCatalog(layer: layer.digest)
        do {
            let reader = try ArchiveReader(stream: stream, name: "layer \(layer.digest)")
            while let entry = try reader.nextEntry() {
                try visit(entry, reader: reader, layer: layer.digest, into: &result)
            }
        } catch let error as LayoutError {
            switch error {
            case .archive(let message), .archiveMismatch(let message):
                throw ScanError.invalidLayer(layer: layer.digest.description, reason: message)
            default: throw error
            }
        }
        try stream.finish()
        result.cataloged.sort()
        result.whiteouts.sort()
        result.opaqueDirectories.sort()
        return result
    }

    private func visit(_ entry: ArchiveEntry, reader: ArchiveReader, layer: Digest, into result: inout LayerCatalog)
        throws
    {
        guard let path = Self.normalize(entry.path) else { return }
        let slash = path.lastIndex(of: "/")
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        let directory = slash.map { String(path[..<$0]) } ?? ""
        if name == ".wh..wh..opq" {
            result.opaqueDirectories.append(directory)
            return
        }
        if name.hasPrefix(".wh.") {
            let deleted = String(name.dropFirst(4))
            result.whiteouts.append(directory.isEmpty ? deleted : directory + "/" + deleted)
            return
        }
        switch entry.kind {
        case .symlink where name == "os-release":
            result.osRelease[path] = .symlink(entry.linkTarget ?? "")
        case .file where name == "os-release":
            guard entry.size <= Int64(Self.osReleaseLimit) else {
                result.skips.append(
                    CatalogSkip(path: path, layer: layer, reason: "\(entry.size) bytes, over the \(Self.osReleaseLimit)-byte limit"))
                return
            }
            let bytes = try reader.readSmallEntry(entry, limit: Self.osReleaseLimit)
            result.osRelease[path] = .file(String(decoding: bytes, as: UTF8.self))
        case .file:
            let candidate = CatalogEntry(path: path, size: entry.size, isExecutable: entry.mode & 0o111 != 0)
            let wanting = catalogers.filter { $0.wants(candidate) }
            guard !wanting.isEmpty else { return }
            // The same path twice in one tar: the last entry is the file.
            result.packages.removeAll { $0.location.path == path }
            result.cataloged.append(path)
            if wanting.count == 1 {
                var file = CatalogFile(entry: candidate, layer: layer) { (buffer) in try reader.readData(into: buffer) }
                run(wanting[0], on: &file, into: &result)
                return
            }
            var file = CatalogFile(entry: candidate, layer: layer) { (buffer) in try reader.readData(into: buffer) }
            let contents: Data
            do { contents = try file.readAll(limit: Self.sharedFileLimit) } catch let error as ScanError {
                result.skips.append(CatalogSkip(path: path, layer: layer, reason: error.description))
                return
            }
            for cataloger in wanting {
                var offset = 0
                var copy = CatalogFile(entry: candidate, layer: layer) { (buffer) in
                    let count = min(buffer.count, contents.count - offset)
                    contents.copyBytes(to: buffer.bindMemory(to: UInt8.self), from: offset..<offset + count)
                    offset += count
                    return count
                }
                run(cataloger, on: &copy, into: &result)
            }
        default:
            return
        }
    }

    /// Runs one cataloger; a file it cannot read at all becomes a skip (a broken layer stream does not).
    private func run(_ cataloger: any Cataloger, on file: inout CatalogFile, into result: inout LayerCatalog) {
        var skips: [CatalogSkip] = []
        do {
            result.packages += try cataloger.catalog(&file, context: CatalogContext(distro: nil), skips: &skips)
        } catch let error as LayoutError {
            // The tar stream itself failed: not the file's fault, the layer's.
            skips.append(CatalogSkip(path: file.path, layer: file.layer, reason: error.description))
        } catch {
            skips.append(CatalogSkip(path: file.path, layer: file.layer, reason: "\(error)"))
        }
        result.skips += skips
    }

    /// The path inside the image, without `./`, leading or trailing `/`; `..` cannot climb above the root. Nil for
    /// the root itself.
    static func normalize(_ path: String) -> String? {
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." {
                _ = parts.popLast()
                continue
            }
            parts.append(part)
        }
        return parts.isEmpty ? nil : parts.joined(separator: "/")
    }
}
