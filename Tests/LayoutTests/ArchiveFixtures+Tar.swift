// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout

extension ArchiveFixtures {
    /// Writes `entries` as a tar archive at `path`: through `ArchiveWriter` when they are all regular files and
    /// directories, else (links, FIFOs) with `rawTar`, which cannot compress.
    static func write(_ entries: [Entry], to path: String, compression: Compression = .none) throws {
        let simple = entries.allSatisfy {
            switch $0.kind {
            case .file, .directory: true
            default: false
            }
        }
        guard simple else {
            precondition(compression == .none, "rawTar does not compress")
            try rawTar(entries).write(to: URL(fileURLWithPath: path))
            return
        }
        let writer = try ArchiveWriter(path: path, compression: compression)
        for entry in entries {
            switch entry.kind {
            case .file(let data): try writer.addFile(entry.name, contents: data)
            case .directory: try writer.addDirectory(entry.name)
            default: break
            }
        }
        try writer.finish()
    }

    /// Writes the entries to a new file in `directory` and returns its path.
    static func archive(_ entries: [Entry], in directory: String, compression: Compression = .none) throws -> String {
        let path = "\(directory)/archive-\(UUID().uuidString).tar"
        try write(entries, to: path, compression: compression)
        return path
    }

    /// A plain ustar archive, names written verbatim (no sanitising), as a hostile or foreign tool might.
    static func rawTar(_ entries: [Entry]) -> Data {
        var out = Data()
        for entry in entries {
            var header = [UInt8](repeating: 0, count: 512)
            func put(_ text: String, at offset: Int, length: Int) {
                for (index, byte) in text.utf8.prefix(length).enumerated() { header[offset + index] = byte }
            }
            func octal(_ value: Int, at offset: Int, length: Int) {
                put(String(repeating: "0", count: max(0, length - 1 - String(value, radix: 8).count)) + String(value, radix: 8), at: offset, length: length - 1)
            }
            var content = Data()
            var type: Character = "0"
            var link = ""
            switch entry.kind {
            case .file(let data): content = data
            case .directory: type = "5"
            case .symlink(let target): (type, link) = ("2", target)
            case .hardlink(let target): (type, link) = ("1", target)
            case .fifo: type = "6"
            }
            precondition(entry.name.utf8.count <= 100, "rawTar names are at most 100 bytes")
            put(entry.name, at: 0, length: 100)
            octal(type == "5" ? 0o755 : 0o644, at: 100, length: 8)
            octal(0, at: 108, length: 8)
            octal(0, at: 116, length: 8)
            octal(content.count, at: 124, length: 12)
            octal(0, at: 136, length: 12)
            put(String(type), at: 156, length: 1)
            put(link, at: 157, length: 100)
            put("ustar", at: 257, length: 6)
            put("00", at: 263, length: 2)
            put("        ", at: 148, length: 8)
            let sum = header.reduce(0) { $0 + Int($1) }
            octal(sum, at: 148, length: 7)
            header[154] = 0
            out.append(contentsOf: header)
            out.append(content)
            out.append(Data(count: (512 - content.count % 512) % 512))
        }
        out.append(Data(count: 1024))
        return out
    }

    // MARK: - Layout state

    /// What must not change when an import fails.
    struct LayoutState: Equatable {
        var index: Data
        var blobs: [String]
        var temporary: [String]
    }

    static func state(of layout: OCILayout) throws -> LayoutState {
        func files(_ path: String) -> [String] {
            ((FileManager.default.enumerator(atPath: path)?.allObjects as? [String]) ?? []).sorted()
        }
        return LayoutState(
            index: try Data(contentsOf: URL(fileURLWithPath: layout.path + "/index.json")),
            blobs: files(layout.path + "/blobs"),
            temporary: files(layout.path + "/.ocitool/tmp"))
    }

    /// The tags of a layout, sorted.
    static func tags(of layout: OCILayout) throws -> [String] { try layout.readIndex().tags }
}
