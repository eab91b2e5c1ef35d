// SPDX-License-Identifier: Apache-2.0
import CArchive
import Glibc

/// Reads a tar archive (plain, gzip, zstd, bzip2 or xz compressed, detected from its bytes) entry by entry,
/// streaming each entry's content. One of the two Layout files that touch libarchive.
///
/// Confined to one task at a time.
public final class ArchiveReader {
    let handle: OpaquePointer
    private let name: String
    /// The archive file itself, for reading entries in place (nil for standard input and compressed archives).
    let file: FileDescriptor?
    /// The decompressing (or pass-through) input, unless libarchive reads a plain file itself.
    private let input: ArchiveInput?
    /// The header `nextEntry` returned last (owned by libarchive, valid until the next call).
    private(set) var currentEntry: OpaquePointer?
    /// Bytes of each read from the underlying file.
    static let blockSize = 1 << 20

    /// Opens `path` for reading; `-` reads standard input. A gzip or zstd archive is decompressed and checked by
    /// `ArchiveInput`; a plain file is read by libarchive itself, so entries can be copied in place.
    /// - Throws: `LayoutError.archive` or `.io` when the file cannot be opened or is not a tar archive.
    public init(path: String) throws(LayoutError) {
        let name = path == "-" ? "standard input" : path
        let source =
            path == "-"
            ? FileDescriptor(adopting: STDIN_FILENO, path: name, owned: false)
            : try FileDescriptor(path: path, flags: O_RDONLY)
        let input = try ArchiveInput(source: source, name: name)
        guard let handle = archive_read_new() else { throw .archive("libarchive: out of memory") }
        self.handle = handle
        self.name = name
        ArchiveReader.configure(handle)
        let status: Int32
        if input.compression == .none, path != "-" {
            self.input = nil
            self.file = source
            status = archive_read_open_filename(handle, path, ArchiveReader.blockSize)
        } else {
            self.input = input
            self.file = nil
            status = archive_read_open(
                handle, Unmanaged.passUnretained(input).toOpaque(), nil, ArchiveReader.readInput, nil)
        }
        if status != ARCHIVE_OK { throw failure() }
    }

    /// Reads a tar stream (a layer blob: plain, gzip or zstd, each checked as `init(path:)` checks it; bzip2 and
    /// xz through libarchive) pulled from `stream`, which it reads once, in order. `name` is how messages name it.
    /// Errors the stream throws become `LayoutError.archive` with their text, unless they are `LayoutError`s.
    /// - Throws: `LayoutError.archive` when the bytes are not a tar archive.
    public init(stream: any BlobStream, name: String) throws(LayoutError) {
        let input = try ArchiveInput(name: name) { (buffer) throws(LayoutError) in
            do { return try stream.read(into: buffer) } catch let error as LayoutError { throw error } catch {
                throw LayoutError.archive("\(name): \(error)")
            }
        }
        guard let handle = archive_read_new() else { throw .archive("libarchive: out of memory") }
        self.handle = handle
        self.name = name
        self.input = input
        self.file = nil
        ArchiveReader.configure(handle)
        let status = archive_read_open(
            handle, Unmanaged.passUnretained(input).toOpaque(), nil, ArchiveReader.readInput, nil)
        if status != ARCHIVE_OK { throw failure() }
    }

    /// The filters and formats every reader accepts.
    private static func configure(_ handle: OpaquePointer) {
        archive_read_support_filter_bzip2(handle)
        archive_read_support_filter_xz(handle)
        archive_read_support_format_tar(handle)
    }

    /// libarchive's read callback over an `ArchiveInput`: the next block, 0 at the end, -1 on error (whose
    /// message libarchive reports; the typed error stays in the input).
    private static let readInput: @convention(c) (
        OpaquePointer?, UnsafeMutableRawPointer?, UnsafeMutablePointer<UnsafeRawPointer?>?
    ) -> la_ssize_t = { archive, context, buffer in
        guard let context else { return -1 }
        let input = Unmanaged<ArchiveInput>.fromOpaque(context).takeUnretainedValue()
        do {
            let bytes = try input.read()
            buffer?.pointee = bytes.baseAddress
            return la_ssize_t(bytes.count)
        } catch {
            ocitool_archive_set_error(archive, EIO, "\(error)")
            return -1
        }
    }

    deinit { archive_read_free(handle) }

    /// The next entry's header, or nil at the end of the archive.
    /// At the end, the rest of a compressed stream is read and checked too.
    /// - Throws: `LayoutError.archive` for a truncated or corrupt archive (a damaged header is never skipped),
    ///   `.archiveMismatch` for a compressed stream whose checksum does not match.
    public func nextEntry() throws(LayoutError) -> ArchiveEntry? {
        var entry: OpaquePointer?
        let status = archive_read_next_header(handle, &entry)
        if status == ARCHIVE_EOF {
            try input?.drain()
            return nil
        }
        guard status == ARCHIVE_OK || status == ARCHIVE_WARN, let entry else { throw failure() }
        currentEntry = entry
        let path = archive_entry_pathname(entry).map { String(cString: $0) } ?? ""
        let kind: ArchiveEntry.Kind
        var target: String?
        if let link = archive_entry_hardlink(entry) {
            kind = .hardlink
            target = String(cString: link)
        } else {
            switch archive_entry_filetype(entry) {
            case S_IFREG: kind = .file
            case S_IFDIR: kind = .directory
            case S_IFLNK:
                kind = .symlink
                target = archive_entry_symlink(entry).map { String(cString: $0) }
            default: kind = .other
            }
        }
        return ArchiveEntry(
            path: path, kind: kind, size: archive_entry_size(entry), linkTarget: target,
            mode: UInt32(archive_entry_perm(entry)))
    }

    /// Streams the current entry's content to `body`, block by block, without copying where libarchive allows.
    /// Sparse holes are filled with zeros so the bytes are exactly the entry's content.
    /// - Returns: the number of bytes delivered.
    @discardableResult
    public func readData(_ body: (UnsafeRawBufferPointer) throws(LayoutError) -> Void) throws(LayoutError) -> Int64 {
        var block: UnsafeRawPointer?
        var length = 0
        var offset: la_int64_t = 0
        var delivered: Int64 = 0
        while true {
            let status = archive_read_data_block(handle, &block, &length, &offset)
            if status == ARCHIVE_EOF { return delivered }
            guard status == ARCHIVE_OK || status == ARCHIVE_WARN else { throw failure() }
            if offset > delivered {
                let zeros = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
                defer { zeros.deallocate() }
                zeros.initializeMemory(as: UInt8.self, repeating: 0)
                while delivered < offset {
                    let count = Int(min(Int64(zeros.count), offset - delivered))
                    try body(UnsafeRawBufferPointer(rebasing: zeros[..<count]))
                    delivered += Int64(count)
                }
            }
            if let block, length > 0 {
                try body(UnsafeRawBufferPointer(start: block, count: length))
                delivered += Int64(length)
            }
        }
    }

    /// Reads the next bytes of the current entry into `buffer` (a pull reader's step; sparse holes read as zeros).
    /// - Returns: how many bytes were written; 0 at the end of the entry.
    public func readData(into buffer: UnsafeMutableRawBufferPointer) throws(LayoutError) -> Int {
        guard buffer.count > 0 else { return 0 }
        let count = archive_read_data(handle, buffer.baseAddress, buffer.count)
        guard count >= 0 else { throw failure() }
        return count
    }

    /// Reads the current entry whole, refusing entries larger than `limit` (metadata files such as
    /// manifest.json and index.json).
    public func readSmallEntry(_ entry: ArchiveEntry, limit: Int) throws(LayoutError) -> [UInt8] {
        guard entry.size <= Int64(limit) else {
            throw .archive("\(entry.path) is \(entry.size) bytes, more than the \(limit)-byte limit for metadata")
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(max(entry.size, 0)))
        try readData { (chunk) throws(LayoutError) in
            guard bytes.count + chunk.count <= limit else {
                throw .archive("\(entry.path) exceeds the \(limit)-byte limit for metadata")
            }
            bytes.append(contentsOf: chunk)
        }
        return bytes
    }

    /// Skips the rest of the current entry's content (seeking over it where the file allows).
    public func skipData() throws(LayoutError) {
        let status = archive_read_data_skip(handle)
        guard status == ARCHIVE_OK || status == ARCHIVE_WARN else { throw failure() }
    }

    /// The error for a failed libarchive call: the input's own when reading it failed, else libarchive's message.
    private func failure() -> LayoutError {
        if let failure = input?.failure { return failure }
        return .archive("\(name): \(message())")
    }

    func message() -> String {
        archive_error_string(handle).map { String(cString: $0) } ?? "unknown libarchive error"
    }
}

/// One entry's header.
public struct ArchiveEntry: Sendable, Hashable {
    /// Entry types ocitool distinguishes.
    public enum Kind: Sendable, Hashable { case file, directory, symlink, hardlink, other }

    /// The path as stored in the archive.
    public var path: String
    public var kind: Kind
    /// Content size for regular files.
    public var size: Int64
    /// The target of a symlink or hardlink.
    public var linkTarget: String?
    /// The permission bits (`0o755`).
    public var mode: UInt32 = 0
}
