// SPDX-License-Identifier: Apache-2.0
import Foundation
import Glibc

/// A temporary file a writer left in a layout: a staged blob in `.ocitool/tmp/`, or an `index.json.tmp-*` /
/// `oci-layout.tmp-*` file from an atomic replace. Present only while a write is in flight, or after a crash.
struct TemporaryFile: Sendable, Hashable {
    /// The path relative to the layout, e.g. `.ocitool/tmp/blob-123-456`.
    let relativePath: String
    /// The absolute path.
    let path: String
    /// The process id the writer put in the name, when it follows ocitool's `<prefix><pid>-<random>` naming.
    let writerProcess: pid_t?

    /// Whether this file may belong to a write still in flight: it was modified within `grace` seconds, or the
    /// process named in it is still alive (a slow upload). Only old files of gone writers are garbage; a pid
    /// is not trusted alone, since another PID namespace or host may be writing the same layout.
    func mayBeInFlight(grace: Double, now: Date = Date()) -> Bool {
        if age(now: now) < grace { return true }
        guard let writerProcess, writerProcess > 0 else { return false }
        return kill(writerProcess, 0) == 0 || errno == EPERM
    }

    /// Seconds since the last modification (0 when the file is gone).
    func age(now: Date = Date()) -> Double {
        guard let modified = FileSystem.modificationTime(path) else { return 0 }
        return now.timeIntervalSince(modified)
    }

    /// The file's size, or 0 when it is not a regular file.
    var size: Int64 { FileSystem.fileSize(path) ?? 0 }
}

extension OCILayout {
    /// Prefixes of the temporary files ocitool's writers create in the layout root (`FileSystem.writeAtomically`).
    private static let rootTemporaryPrefixes = ["index.json.tmp-", "oci-layout.tmp-"]
    /// Prefix of staged blobs in `.ocitool/tmp/` (`BlobWriter`).
    private static let blobTemporaryPrefix = "blob-"
    /// Prefix of staging layouts in `.ocitool/tmp/` (`withStagingLayout`).
    static let stagingPrefix = "stage-"

    /// Every temporary file in the layout, and staging layouts (other directories are not ocitool's and are left
    /// alone), sorted by path.
    func temporaryFiles() -> [TemporaryFile] {
        var files: [TemporaryFile] = []
        for name in FileSystem.list(temporaryPath) {
            let isDirectory = FileSystem.isDirectory("\(temporaryPath)/\(name)")
            let prefix = isDirectory ? OCILayout.stagingPrefix : OCILayout.blobTemporaryPrefix
            guard !isDirectory || name.hasPrefix(prefix) else { continue }
            files.append(
                TemporaryFile(
                    relativePath: ".ocitool/tmp/\(name)", path: "\(temporaryPath)/\(name)",
                    writerProcess: OCILayout.writerProcess(in: name, after: prefix)))
        }
        for name in FileSystem.list(path) {
            guard let prefix = OCILayout.rootTemporaryPrefixes.first(where: { name.hasPrefix($0) }) else { continue }
            files.append(
                TemporaryFile(
                    relativePath: name, path: "\(path)/\(name)",
                    writerProcess: OCILayout.writerProcess(in: name, after: prefix)))
        }
        return files.sorted { $0.relativePath < $1.relativePath }
    }

    /// Removes a temporary file.
    func removeTemporaryFile(_ file: TemporaryFile) throws(LayoutError) {
        guard FileSystem.isDirectory(file.path) else { return try FileSystem.remove(file.path) }
        do { try FileManager.default.removeItem(atPath: file.path) } catch {
            throw .io("remove", path: file.path, errno: EIO)
        }
    }

    /// The pid in `<prefix><pid>-<random>`.
    static func writerProcess(in name: String, after prefix: String) -> pid_t? {
        guard name.hasPrefix(prefix) else { return nil }
        let rest = name.dropFirst(prefix.count)
        guard let dash = rest.firstIndex(of: "-") else { return nil }
        return pid_t(rest[..<dash])
    }
}
