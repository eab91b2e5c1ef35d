// SPDX-License-Identifier: Apache-2.0
import CArchive
import Glibc

/// Reads a zip archive (a jar, war or ear) front to back from a pull stream, through libarchive's streamable zip
/// reader: local file headers in order, no central directory, no seeking and no spooling, so a zip inside
/// another zip's entry is read straight from the outer entry's data. The second Layout file that touches
/// libarchive for reading (`ArchiveReader` reads tar files).
///
/// Confined to one task at a time; `read` is called synchronously from `nextEntry`, `read(into:)` and `skipData`.
public final class ZipStreamReader {
    private let handle: OpaquePointer
    private let name: String
    private let source: Source

    /// One zip member's local header.
    public struct Entry: Sendable, Hashable {
        /// The name as stored (never normalised: callers decide what a `..` means to them).
        public var path: String
        public var isDirectory: Bool
        /// The uncompressed size, when the local header records it (nil for data-descriptor entries).
        public var size: Int64?
    }

    /// The pull stream and the buffer libarchive reads from (its address is handed to the C callback).
    private final class Source {
        let read: (UnsafeMutableRawBufferPointer) throws -> Int
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 << 10, alignment: 16)
        /// The error `read` threw, rethrown as it was instead of libarchive's summary of it.
        var failure: (any Error)?

        init(read: @escaping (UnsafeMutableRawBufferPointer) throws -> Int) { self.read = read }
        deinit { buffer.deallocate() }
    }

    /// Opens a zip stream.
    /// - Parameters:
    ///   - name: what messages call the archive (its path).
    ///   - read: fills the buffer with the next bytes and returns how many; 0 at the end.
    /// - Throws: `LayoutError.archive` when the bytes do not begin a zip archive, or what `read` threw.
    public init(name: String, read: @escaping (UnsafeMutableRawBufferPointer) throws -> Int) throws {
        guard let handle = archive_read_new() else { throw LayoutError.archive("libarchive: out of memory") }
        self.handle = handle
        self.name = name
        self.source = Source(read: read)
        archive_read_support_format_zip_streamable(handle)
        let status = archive_read_open(
            handle, Unmanaged.passUnretained(source).toOpaque(), nil, ZipStreamReader.readSource, nil)
        if status != ARCHIVE_OK { throw failure() }
    }

    deinit { archive_read_free(handle) }

    /// libarchive's read callback: the next bytes of the source, 0 at the end, -1 on error (kept in the source).
    private static let readSource: @convention(c) (
        OpaquePointer?, UnsafeMutableRawPointer?, UnsafeMutablePointer<UnsafeRawPointer?>?
    ) -> la_ssize_t = { archive, context, buffer in
        guard let context else { return -1 }
        let source = Unmanaged<Source>.fromOpaque(context).takeUnretainedValue()
        do {
            let count = try source.read(source.buffer)
            buffer?.pointee = UnsafeRawPointer(source.buffer.baseAddress)
            return la_ssize_t(count)
        } catch {
            source.failure = error
            ocitool_archive_set_error(archive, EIO, "\(error)")
            return -1
        }
    }

    /// The next member's header, or nil after the last one.
    /// - Throws: `LayoutError.archive` for a damaged or unsupported archive, or what the source threw.
    public func nextEntry() throws -> Entry? {
        var entry: OpaquePointer?
        let status = archive_read_next_header(handle, &entry)
        if status == ARCHIVE_EOF { return nil }
        guard status == ARCHIVE_OK || status == ARCHIVE_WARN, let entry else { throw failure() }
        let path = archive_entry_pathname_utf8(entry).map { String(cString: $0) }
            ?? archive_entry_pathname(entry).map { String(cString: $0) } ?? ""
        let size: Int64? = archive_entry_size_is_set(entry) != 0 ? archive_entry_size(entry) : nil
        return Entry(path: path, isDirectory: archive_entry_filetype(entry) == S_IFDIR, size: size)
    }

    /// Reads the current member's next uncompressed bytes into `buffer`; 0 at its end.
    /// - Throws: `LayoutError.archive` for corrupt or encrypted data, or what the source threw.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        let count = archive_read_data(handle, base, buffer.count)
        guard count >= 0 else { throw failure() }
        return count
    }

    /// Skips the rest of the current member (libarchive still inflates a member whose size only a trailing data
    /// descriptor records).
    public func skipData() throws {
        let status = archive_read_data_skip(handle)
        guard status == ARCHIVE_OK || status == ARCHIVE_WARN else { throw failure() }
    }

    private func failure() -> any Error {
        if let failure = source.failure { return failure }
        let message = archive_error_string(handle).map { String(cString: $0) } ?? "unknown libarchive error"
        return LayoutError.archive("\(name): \(message)")
    }
}
