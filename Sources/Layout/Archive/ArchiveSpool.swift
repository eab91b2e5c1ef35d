// SPDX-License-Identifier: Apache-2.0
import Glibc

/// Where an `ArchiveSource` keeps the large members of an archive it cannot read in place (a gzip or zstd
/// archive, or standard input): one temporary file, created on the first member that needs it and unlinked at
/// once, so it holds no name in the directory and disappears with the source, even after kill -9. Members are
/// appended decompressed as the one scanning pass reads them, then read back with `pread` from any thread.
///
/// Extra disk is bounded by the archive's uncompressed size (members up to `ArchiveScanner.smallFileLimit`
/// stay in memory instead), and is used once: re-decompressing the stream to reach each member instead would
/// cost no disk but read the archive once per layer, and a parallel copy reads several layers at once.
///
/// `@unchecked Sendable`: written by the scanning pass only, before the source is shared; read with `pread`.
final class ArchiveSpool: @unchecked Sendable {
    /// The directory the file is made in.
    let directory: String
    private(set) var file: FileDescriptor?
    /// Bytes appended so far.
    private(set) var size: Int64 = 0

    init(directory: String) { self.directory = directory }

    /// The file, created (and unlinked) on first use.
    func open() throws(LayoutError) -> FileDescriptor {
        if let file { return file }
        try FileSystem.makeDirectories(directory)
        let path = "\(directory)/ocitool-archive-spool-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        let created = try FileDescriptor(path: path, flags: O_RDWR | O_CREAT | O_EXCL, mode: 0o600)
        unlink(path)
        file = created
        return created
    }

    /// Appends bytes at the end of the file.
    func append(_ bytes: UnsafeRawBufferPointer) throws(LayoutError) {
        try open().writeAll(bytes)
        size += Int64(bytes.count)
    }

    /// The system's temporary directory (`TMPDIR`, else `/tmp`).
    static var systemTemporaryDirectory: String {
        guard let value = getenv("TMPDIR"), value.pointee != 0 else { return "/tmp" }
        return String(cString: value)
    }
}
