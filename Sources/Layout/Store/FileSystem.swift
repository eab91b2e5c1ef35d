// SPDX-License-Identifier: Apache-2.0
public import Foundation
import Glibc

/// Small POSIX helpers for durable, atomic file handling.
public enum FileSystem {
    /// Size of a regular file, or nil when it does not exist.
    public static func fileSize(_ path: String) -> Int64? {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int64(info.st_size)
    }

    /// Modification time of a path, or nil when it does not exist.
    public static func modificationTime(_ path: String) -> Date? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        return Date(timeIntervalSince1970: Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9)
    }

    /// Sets a file's modification time to now.
    /// - Returns: whether the file was there to touch (gc may have just taken it).
    @discardableResult
    public static func touch(_ path: String) -> Bool {
        utimensat(AT_FDCWD, path, nil, 0) == 0
    }

    /// Whether anything exists at `path` (a dangling symlink counts).
    public static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    /// The permission bits of `path`, nil when it cannot be read.
    public static func permissions(of path: String) -> mode_t? {
        var info = stat()
        return stat(path, &info) == 0 ? info.st_mode & 0o7777 : nil
    }

    /// The first `count` bytes of the file at `path` (fewer when it is shorter; none when it cannot be read).
    public static func firstBytes(of path: String, count: Int) -> [UInt8] {
        guard let file = try? FileDescriptor(path: path, flags: O_RDONLY) else { return [] }
        return file.bytes(at: 0, count: count)
    }

    /// Whether `path` is a directory.
    public static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// The directory holding `path`: `.` for a bare name, `/` for a top-level one. (Foundation's
    /// `deletingLastPathComponent` traps on one-character names with this toolchain.)
    public static func parentDirectory(of path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed.removeLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return "." }
        return slash == trimmed.startIndex ? "/" : String(trimmed[..<slash])
    }

    /// The last component of `path`.
    public static func baseName(of path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed.removeLast() }
        return trimmed.lastIndex(of: "/").map { String(trimmed[trimmed.index(after: $0)...]) } ?? String(trimmed)
    }

    /// Creates `path` and its parents; succeeds when it exists.
    public static func makeDirectories(_ path: String) throws(LayoutError) {
        if isDirectory(path) { return }
        let parent = parentDirectory(of: path)
        if parent != path { try makeDirectories(parent) }
        if mkdir(path, 0o755) == 0 {
            try syncDirectory(parent)
        } else if errno != EEXIST {
            throw .io("create directory", path: path, errno: errno)
        }
    }

    /// fsyncs a directory so a rename or create inside it is durable.
    public static func syncDirectory(_ path: String) throws(LayoutError) {
        let directory = try FileDescriptor(path: path, flags: O_RDONLY | O_DIRECTORY)
        try directory.sync()
    }

    /// Atomically replaces `path` with `data`: temp file in the same directory, fsync, rename, fsync directory.
    /// The new file gets `mode` (less the umask).
    public static func writeAtomically(_ data: Data, to path: String, mode: mode_t = 0o644) throws(LayoutError) {
        let directory = parentDirectory(of: path)
        let temporary = "\(path).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        do throws(LayoutError) {
            let file = try FileDescriptor(path: temporary, flags: O_WRONLY | O_CREAT | O_EXCL, mode: mode)
            try data.withBytes { (bytes) throws(LayoutError) in try file.writeAll(bytes) }
            try file.sync()
            try rename(temporary, to: path)
        } catch {
            unlink(temporary)
            throw error
        }
        try syncDirectory(directory)
    }

    /// Renames within one filesystem.
    public static func rename(_ from: String, to: String) throws(LayoutError) {
        guard Glibc.rename(from, to) == 0 else { throw .io("rename to \(to)", path: from, errno: errno) }
    }

    /// Removes a file; succeeds when it is already gone.
    public static func remove(_ path: String) throws(LayoutError) {
        guard unlink(path) == 0 || errno == ENOENT else { throw .io("remove", path: path, errno: errno) }
    }

    /// Reads a whole small file, refusing files larger than `limit`.
    public static func readFile(_ path: String, limit: Int) throws(LayoutError) -> Data {
        try readFile(FileDescriptor(path: path, flags: O_RDONLY), limit: limit)
    }

    /// Reads a whole small open file from its start, refusing files larger than `limit`.
    static func readFile(_ file: FileDescriptor, limit: Int) throws(LayoutError) -> Data {
        let size = try file.size()
        guard size <= Int64(limit) else {
            throw .tooLarge(file.path, size: size, limit: limit)
        }
        var data = Data(count: Int(size))
        let count = try data.withMutableBytes { (buffer) throws(LayoutError) -> Int in
            var filled = 0
            while filled < buffer.count {
                let read = try file.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
                if read == 0 { break }
                filled += read
            }
            return filled
        }
        return data.prefix(count)
    }

    /// Names in a directory (no `.`/`..`), or an empty list when it does not exist.
    public static func list(_ path: String) -> [String] {
        guard let directory = opendir(path) else { return [] }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }
}
