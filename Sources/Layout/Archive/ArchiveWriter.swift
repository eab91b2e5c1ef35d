// SPDX-License-Identifier: Apache-2.0
import CArchive
public import Foundation
import Glibc

/// Writes a POSIX (pax) tar archive, optionally gzip or zstd compressed, streaming each entry. Entries get a
/// fixed timestamp and owner so the same content always gives the same archive bytes. One of the two Layout
/// files that touch libarchive.
///
/// Confined to one task at a time.
public final class ArchiveWriter {
    private let handle: OpaquePointer
    private let name: String
    /// The output file; opened here, not by libarchive, so open errors carry their errno.
    private let file: FileDescriptor
    private var closed = false
    /// The regular file being written: its name, declared size and bytes written so far.
    private var current: (path: String, size: Int64, written: Int64)?

    /// Opens `path` for writing (created or truncated); `-` writes standard output.
    public init(path: String, compression: Compression = .none) throws(LayoutError) {
        file =
            path == "-"
            ? FileDescriptor(adopting: STDOUT_FILENO, path: "standard output", owned: false)
            : try FileDescriptor(path: path, flags: O_WRONLY | O_CREAT | O_TRUNC)
        guard let handle = archive_write_new() else { throw .archive("libarchive: out of memory") }
        self.handle = handle
        self.name = path == "-" ? "standard output" : path
        archive_write_set_format_pax_restricted(handle)
        switch compression {
        case .none: archive_write_add_filter_none(handle)
        case .gzip: archive_write_add_filter_gzip(handle)
        case .zstd: archive_write_add_filter_zstd(handle)
        }
        archive_write_set_bytes_per_block(handle, 10240)
        try check(archive_write_open_fd(handle, file.raw))
    }

    deinit {
        if !closed { archive_write_close(handle) }
        archive_write_free(handle)
    }

    /// Adds a regular file whose content `produce` streams through the given write function.
    public func addFile(
        _ path: String, size: Int64,
        produce: ((UnsafeRawBufferPointer) throws(LayoutError) -> Void) throws(LayoutError) -> Void
    ) throws(LayoutError) {
        try beginFile(path, size: size)
        try produce { (bytes) throws(LayoutError) in try writeData(bytes) }
        try endFile()
    }

    /// Starts a regular file of `size` bytes: `writeData` then delivers exactly that many, and `endFile` checks
    /// they all came (for content produced by a caller that throws errors of its own).
    public func beginFile(_ path: String, size: Int64) throws(LayoutError) {
        try writeHeader(path, type: S_IFREG, mode: 0o644, size: size)
        current = (path, size, 0)
    }

    /// Appends content to the file `beginFile` started.
    /// - Throws: `LayoutError.archive` past the declared size or when writing fails.
    public func writeData(_ bytes: UnsafeRawBufferPointer) throws(LayoutError) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        guard let file = current, file.written + Int64(bytes.count) <= file.size else {
            throw .archive("\(name): more bytes than the entry \(current?.path ?? "") declared")
        }
        var offset = 0
        while offset < bytes.count {
            let count = archive_write_data(handle, base + offset, bytes.count - offset)
            guard count > 0 else { throw .archive("\(name): \(message())") }
            offset += count
        }
        current?.written += Int64(bytes.count)
    }

    /// Ends the file `beginFile` started.
    /// - Throws: `LayoutError.archive` when fewer bytes than declared were written.
    public func endFile() throws(LayoutError) {
        guard let file = current else { return }
        current = nil
        guard file.written == file.size else {
            throw .archive("\(name): entry \(file.path) declared \(file.size) bytes but \(file.written) were written")
        }
    }

    /// Adds a small regular file from memory.
    public func addFile(_ path: String, contents: Data) throws(LayoutError) {
        try addFile(path, size: Int64(contents.count)) { (write) throws(LayoutError) in
            try contents.withBytes { (bytes) throws(LayoutError) in try write(bytes) }
        }
    }

    /// Adds a directory entry.
    public func addDirectory(_ path: String) throws(LayoutError) {
        try writeHeader(path, type: S_IFDIR, mode: 0o755, size: 0)
    }

    /// Writes the end-of-archive marker and flushes. Must be called for a complete archive.
    public func finish() throws(LayoutError) {
        guard !closed else { return }
        closed = true
        try check(archive_write_close(handle))
    }

    private func writeHeader(_ path: String, type: mode_t, mode: mode_t, size: Int64) throws(LayoutError) {
        guard let entry = archive_entry_new() else { throw .archive("libarchive: out of memory") }
        defer { archive_entry_free(entry) }
        archive_entry_set_pathname(entry, path)
        archive_entry_set_filetype(entry, type)
        archive_entry_set_perm(entry, mode)
        archive_entry_set_size(entry, size)
        archive_entry_set_mtime(entry, 0, 0)
        archive_entry_set_uid(entry, 0)
        archive_entry_set_gid(entry, 0)
        try check(archive_write_header(handle, entry))
    }

    private func check(_ status: Int32) throws(LayoutError) {
        guard status >= ARCHIVE_WARN else { throw .archive("\(name): \(message())") }
    }

    private func message() -> String {
        archive_error_string(handle).map { String(cString: $0) } ?? "unknown libarchive error"
    }
}
