// SPDX-License-Identifier: Apache-2.0
import Glibc

/// Identifies one state of the database file cheaply (no SQLite open): the device, inode, size and
/// modification time of the file and of its write-ahead log. An import changes one of them (a replaced
/// file a new inode), so equal identities mean the same records.
enum DatabaseIdentity {
    /// The identity now; `missing` when there is no file.
    static func current(_ path: String) -> String {
        guard let main = fileState(path) else { return "missing" }
        return main + (fileState(path + "-wal").map { "+wal:" + $0 } ?? "")
    }

    private static func fileState(_ path: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return "\(info.st_dev):\(info.st_ino):\(info.st_size):\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
    }
}
