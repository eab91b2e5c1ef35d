// SPDX-License-Identifier: Apache-2.0
import Foundation
import Glibc

/// What a server asks of the store as a whole: how much its blobs take, and whether it can be written.
extension Store {
    /// Bytes and number of distinct blobs in the store: every repository's blobs and the pool, each stored file
    /// counted once however many repositories link it.
    public func blobUsage() -> (bytes: Int64, blobs: Int) {
        if let backend { return (try? backend.blobUsage()) ?? (0, 0) }
        var seen = Set<[UInt64]>()
        var bytes: Int64 = 0
        let folders = [pool.directory] + repositories().map { root + "/" + $0 + "/blobs" }
        for folder in folders {
            for algorithm in FileSystem.list(folder) {
                let directory = folder + "/" + algorithm
                for name in FileSystem.list(directory) {
                    var info = stat()
                    guard lstat(directory + "/" + name, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG,
                        seen.insert([UInt64(info.st_dev), UInt64(info.st_ino)]).inserted
                    else { continue }
                    bytes += Int64(info.st_size)
                }
            }
        }
        return (bytes, seen.count)
    }

    /// Whether the store's root can be listed and written (a probe file is created and removed under
    /// `ROOT/.ocitool/`), and its backend, if any, answers.
    public func isReadyForWrites() -> Bool {
        if let backend, !backend.isReadyForWrites() { return false }
        let files = FileManager.default
        guard files.isReadableFile(atPath: root), files.isWritableFile(atPath: root),
            (try? files.contentsOfDirectory(atPath: root)) != nil
        else { return false }
        let directory = root + "/.ocitool"
        guard (try? FileSystem.makeDirectories(directory)) != nil else { return false }
        let probe = directory + "/ready-\(UUID().uuidString)"
        guard files.createFile(atPath: probe, contents: Data("ok".utf8)) else { return false }
        return (try? files.removeItem(atPath: probe)) != nil
    }

    /// Creates the store's root directory (and its parents) when missing.
    /// - Throws: I/O errors.
    public func createRoot() throws(LayoutError) { try FileSystem.makeDirectories(root) }
}
