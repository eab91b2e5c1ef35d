// SPDX-License-Identifier: Apache-2.0
import Foundation
import Glibc

/// A temporary file a writer left in a layout: a staged blob in `.ocitool/tmp/`, or an `index.json.tmp-*` /
/// `oci-layout.tmp-*` file from an atomic replace. Present only while a write is in flight, or after a crash.
///
/// Resumable state is a temporary file too: a partial download (`.ocitool/tmp/partial-<alg>-<hex>`,
/// `BlobWriter.resuming`) and an upload's resume record (`.ocitool/resume/<hex>`, `ResumeRecord`). Its owner
/// holds an exclusive `flock` on it while it works, and it is meant to outlive a crash: it is spared while
/// locked or modified within `resumableGrace` (or the caller's grace, when longer), and removed under its
/// lock otherwise. It is never a problem for fsck (it is not under `blobs/`, and a partial file is verified
/// in full before it is renamed there).
struct TemporaryFile: Sendable, Hashable {
    /// How long resumable state is kept after its last write: a copy retried within a day resumes.
    static let resumableGrace: Double = 24 * 3600

    /// The path relative to the layout, e.g. `.ocitool/tmp/blob-123-456`.
    let relativePath: String
    /// The absolute path.
    let path: String
    /// The process id the writer put in the name, when it follows ocitool's `<prefix><pid>-<random>` naming.
    let writerProcess: pid_t?
    /// Whether this is resumable state (a partial download, an upload's resume record).
    var resumable = false

    /// Whether this file may belong to a write still in flight: it was modified within `grace` seconds, or the
    /// process named in it is still alive (a slow upload). Only old files of gone writers are garbage; a pid
    /// is not trusted alone, since another PID namespace or host may be writing the same layout. Resumable
    /// state is spared while its owner holds its lock, or for `resumableGrace` when that is longer.
    func mayBeInFlight(grace: Double, now: Date = Date()) -> Bool {
        if resumable {
            return age(now: now) < max(grace, TemporaryFile.resumableGrace) || isLocked
        }
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

    /// Whether a writer holds the file's `flock` (resumable state being worked on).
    var isLocked: Bool {
        guard let file = try? FileDescriptor(path: path, flags: O_RDONLY) else { return false }
        return (try? file.tryLockExclusive()) == false
    }
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
            var file = TemporaryFile(
                relativePath: ".ocitool/tmp/\(name)", path: "\(temporaryPath)/\(name)",
                writerProcess: OCILayout.writerProcess(in: name, after: prefix))
            file.resumable = !isDirectory && name.hasPrefix(BlobWriter.partialPrefix)
            files.append(file)
        }
        for name in FileSystem.list(resumeRecordsPath) {
            var file = TemporaryFile(
                relativePath: ".ocitool/resume/\(name)", path: "\(resumeRecordsPath)/\(name)", writerProcess: nil)
            file.resumable = true
            files.append(file)
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

    /// Removes a temporary file; resumable state only under its lock, so an owner that took it meanwhile
    /// keeps it.
    /// - Returns: whether the file was removed (false: a writer holds it).
    @discardableResult
    func removeTemporaryFile(_ file: TemporaryFile) throws(LayoutError) -> Bool {
        if file.resumable {
            guard let locked = try? FileDescriptor(path: file.path, flags: O_RDONLY) else { return true }
            guard try locked.tryLockExclusive() else { return false }
            try FileSystem.remove(file.path)
            return true
        }
        guard FileSystem.isDirectory(file.path) else {
            try FileSystem.remove(file.path)
            return true
        }
        do { try FileManager.default.removeItem(atPath: file.path) } catch {
            throw .io("remove", path: file.path, errno: EIO)
        }
        return true
    }

    /// The pid in `<prefix><pid>-<random>`.
    static func writerProcess(in name: String, after prefix: String) -> pid_t? {
        guard name.hasPrefix(prefix) else { return nil }
        let rest = name.dropFirst(prefix.count)
        guard let dash = rest.firstIndex(of: "-") else { return nil }
        return pid_t(rest[..<dash])
    }
}
