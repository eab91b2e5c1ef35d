// SPDX-License-Identifier: Apache-2.0
import CArchive
import Foundation

/// Reads the members of a zip file (OSV's per-ecosystem `all.zip`) through libarchive: the one Scan
/// file that touches it. Nothing is written to disk, so a member whose path escapes (`../x`, `/x`) is
/// harmless, but it is refused and reported all the same: a well-formed OSV export has none.
enum ZipMembers {
    /// Why a member was not read.
    struct Refusal: Error {
        let text: String
    }

    /// Calls `body` with each regular member's path and its content, or the reason it was refused
    /// (unsafe path, over `limit` bytes, not a `.json` file).
    /// - Throws: `ScanError.invalidInput` for a file libarchive cannot read as a zip (damaged,
    ///   truncated, encrypted); `body`'s errors.
    static func read(
        _ path: String, limit: Int, _ body: (String, Result<Data, Refusal>) throws -> Void
    ) throws {
        guard let archive = archive_read_new() else { throw ScanError.invalidInput(what: path, reason: "out of memory") }
        defer { archive_read_free(archive) }
        archive_read_support_format_zip(archive)
        func failure() -> ScanError {
            .invalidInput(
                what: path,
                reason: "not a readable zip: " + (archive_error_string(archive).map { String(cString: $0) } ?? "unknown error"))
        }
        guard archive_read_open_filename(archive, path, 1 << 20) == ARCHIVE_OK else { throw failure() }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 << 10, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            var entry: OpaquePointer?
            let status = archive_read_next_header(archive, &entry)
            if status == ARCHIVE_EOF { return }
            guard status == ARCHIVE_OK || status == ARCHIVE_WARN, let entry else { throw failure() }
            let name = archive_entry_pathname(entry).map { String(cString: $0) } ?? ""
            guard archive_entry_filetype(entry) == S_IFREG else { continue }
            if let reason = unsafe(name) {
                try body(name, .failure(Refusal(text: reason)))
                continue
            }
            guard name.hasSuffix(".json") else {
                try body(name, .failure(Refusal(text: "not a .json member")))
                continue
            }
            if archive_entry_size_is_set(entry) != 0, archive_entry_size(entry) > Int64(limit) {
                try body(
                    name,
                    .failure(Refusal(text: "\(archive_entry_size(entry)) bytes, over the \(limit)-byte limit for one record")))
                continue
            }
            var data = Data()
            var tooLarge = false
            while true {
                let count = archive_read_data(archive, buffer.baseAddress, buffer.count)
                if count == 0 { break }
                guard count > 0 else { throw failure() }
                if data.count + count > limit {
                    tooLarge = true
                    continue
                }
                data.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[..<count]))
            }
            if tooLarge {
                try body(name, .failure(Refusal(text: "over the \(limit)-byte limit for one record")))
            } else {
                try body(name, .success(data))
            }
        }
    }

    /// Why a member path is unsafe (absolute, or with a `..` component), or nil.
    static func unsafe(_ name: String) -> String? {
        if name.hasPrefix("/") { return "absolute member path refused" }
        let components = name.split(whereSeparator: { $0 == "/" || $0 == "\\" })
        if components.contains("..") { return "member path with \"..\" refused (path traversal)" }
        return nil
    }
}
