// SPDX-License-Identifier: Apache-2.0
public import Glibc

/// An owned POSIX file descriptor with the few operations the store needs, each turning errno into
/// `LayoutError.io` with the path. Closed on deinit.
///
/// Confined to one task at a time; it is `@unchecked Sendable` only so that a writer can be handed over.
public final class FileDescriptor: @unchecked Sendable {
    /// The raw descriptor.
    public let raw: Int32
    /// The path it was opened with, for messages.
    public let path: String

    /// Opens `path` with `flags` (and `mode` when creating).
    public init(path: String, flags: Int32, mode: mode_t = 0o644) throws(LayoutError) {
        let fd = Glibc.open(path, flags | O_CLOEXEC, mode)
        guard fd >= 0 else { throw .io("open", path: path, errno: errno) }
        self.raw = fd
        self.path = path
    }

    /// Wraps an existing descriptor (e.g. standard input); it is closed on deinit unless `owned` is false.
    public init(adopting raw: Int32, path: String, owned: Bool = true) {
        self.raw = owned ? raw : dup(raw)
        self.path = path
    }

    deinit { Glibc.close(raw) }

    /// Writes all of `bytes`, retrying short writes and EINTR.
    public func writeAll(_ bytes: UnsafeRawBufferPointer) throws(LayoutError) {
        guard var base = bytes.baseAddress else { return }
        var remaining = bytes.count
        while remaining > 0 {
            let written = Glibc.write(raw, base, remaining)
            if written < 0 {
                if errno == EINTR { continue }
                throw .io("write", path: path, errno: errno)
            }
            remaining -= written
            base += written
        }
    }

    /// Appends `count` bytes of `source` from `offset` with `sendfile` (the kernel copies page to page; the
    /// source's own file position is untouched). Falls back to `pread`/`write` where the kernel refuses.
    public func copy(from source: FileDescriptor, offset: Int64, count: Int64) throws(LayoutError) {
        var position = off_t(offset)
        let end = off_t(offset + count)
        while position < end {
            let sent = sendfile(raw, source.raw, &position, Int(end - position))
            if sent > 0 { continue }
            if sent < 0, errno == EINTR { continue }
            if sent < 0, [EINVAL, ENOSYS, EOPNOTSUPP].contains(errno) {
                return try copyThroughBuffer(from: source, offset: Int64(position), count: Int64(end - position))
            }
            if sent == 0 { throw .io("read", path: source.path, errno: EIO) }  // the source ended early
            throw .io("copy", path: path, errno: errno)
        }
    }

    private func copyThroughBuffer(from source: FileDescriptor, offset: Int64, count: Int64) throws(LayoutError) {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        var position = offset
        while position < offset + count {
            let wanted = Int(min(Int64(buffer.count), offset + count - position))
            let got = pread(source.raw, buffer.baseAddress, wanted, off_t(position))
            if got < 0, errno == EINTR { continue }
            guard got > 0 else { throw .io("read", path: source.path, errno: got == 0 ? EIO : errno) }
            try writeAll(UnsafeRawBufferPointer(rebasing: buffer[..<got]))
            position += Int64(got)
        }
    }

    /// Reads up to `buffer.count` bytes; returns 0 at end of file.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(LayoutError) -> Int {
        while true {
            let count = Glibc.read(raw, buffer.baseAddress, buffer.count)
            if count >= 0 { return count }
            if errno != EINTR { throw .io("read", path: path, errno: errno) }
        }
    }

    /// Flushes data and metadata to disk.
    public func sync() throws(LayoutError) {
        guard fsync(raw) == 0 else { throw .io("fsync", path: path, errno: errno) }
    }

    /// The file's size in bytes.
    public func size() throws(LayoutError) -> Int64 {
        var info = stat()
        guard fstat(raw, &info) == 0 else { throw .io("stat", path: path, errno: errno) }
        return Int64(info.st_size)
    }

    /// Takes an exclusive `flock`, waiting for other holders. Released when the descriptor closes.
    public func lockExclusive() throws(LayoutError) {
        while flock(raw, LOCK_EX) != 0 {
            if errno != EINTR { throw .io("lock", path: path, errno: errno) }
        }
    }

    /// Takes an exclusive `flock` without waiting.
    /// - Returns: false when another open file description (this process or another) holds it.
    public func tryLockExclusive() throws(LayoutError) -> Bool {
        while flock(raw, LOCK_EX | LOCK_NB) != 0 {
            if errno == EWOULDBLOCK { return false }
            if errno != EINTR { throw .io("lock", path: path, errno: errno) }
        }
        return true
    }

    /// Opens (creating when missing) the file at `path` for reading and writing and takes its exclusive `flock`
    /// without waiting, for state one owner works on at a time (a partial download, a resume record). A file
    /// someone removed between the open and the lock (gc does, under the lock) is created again.
    /// - Returns: the locked file, or nil when another owner holds it.
    public static func openLocked(path: String, mode: mode_t) throws(LayoutError) -> FileDescriptor? {
        for _ in 0..<8 {
            let file = try FileDescriptor(path: path, flags: O_RDWR | O_CREAT, mode: mode)
            guard try file.tryLockExclusive() else { return nil }
            if file.isStillAtPath { return file }
        }
        return nil
    }

    /// Whether `path` still names this open file (not removed or replaced since it was opened).
    public var isStillAtPath: Bool {
        var open = stat()
        var named = stat()
        guard fstat(raw, &open) == 0, stat(path, &named) == 0 else { return false }
        return open.st_dev == named.st_dev && open.st_ino == named.st_ino
    }

    /// Cuts the file to `size` bytes and moves the file position there.
    public func truncate(to size: Int64) throws(LayoutError) {
        guard ftruncate(raw, off_t(size)) == 0 else { throw .io("truncate", path: path, errno: errno) }
        guard lseek(raw, off_t(size), SEEK_SET) >= 0 else { throw .io("seek", path: path, errno: errno) }
    }

    /// Reads up to `buffer.count` bytes at `offset` (the file position is untouched); 0 at end of file.
    public func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws(LayoutError) -> Int {
        while true {
            let count = pread(raw, buffer.baseAddress, buffer.count, off_t(offset))
            if count >= 0 { return count }
            if errno != EINTR { throw .io("read", path: path, errno: errno) }
        }
    }
}

extension FileDescriptor {
    /// Up to `count` bytes from `offset` (fewer at the end of the file or on error), without moving the file offset.
    func bytes(at offset: Int64, count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let read = try? bytes.withUnsafeMutableBytes { (buffer) throws(LayoutError) in try self.read(into: buffer, at: offset) }
        return Array(bytes.prefix(read ?? 0))
    }
}
