// SPDX-License-Identifier: Apache-2.0
import Foundation
import Glibc
import Layout

/// Parsed index.json per repository, kept while the file is unchanged.
///
/// Every lookup stats index.json (one syscall) and compares device, inode, size and modification and change
/// times with what was cached: writers replace index.json by rename, so any write (by this server or by the CLI
/// running beside it) changes at least the inode, and the next request reads the new file.
final class IndexCache: @unchecked Sendable {
    /// Guards `entries`; held only to look up or store, never across I/O.
    private let lock = NSLock()
    private var entries: [String: (stamp: FileStamp, index: ImageIndex)] = [:]

    /// index.json of `layout`, from memory when it has not changed.
    func index(of layout: OCILayout) throws(LayoutError) -> ImageIndex {
        try stampedIndex(of: layout).index
    }

    /// index.json of `layout` and the stamp of the file it was read from (nil when it could not be stamped).
    /// Anything derived from the index stays valid while `FileStamp(path:)` of the file still equals the stamp.
    func stampedIndex(of layout: OCILayout) throws(LayoutError) -> (index: ImageIndex, stamp: FileStamp?) {
        let key = layout.path
        guard let stamp = FileStamp(path: key + "/index.json") else { return (try layout.readIndex(), nil) }
        if let cached = lock.withLock({ entries[key] }), cached.stamp == stamp { return (cached.index, stamp) }
        // Stamped before reading: if the file changes meanwhile, the next lookup sees another stamp and reads again.
        let index = try layout.readIndex()
        lock.withLock { entries[key] = (stamp, index) }
        return (index, stamp)
    }
}

/// What identifies one version of a file without reading it.
struct FileStamp: Equatable, Sendable {
    let device: UInt64
    let inode: UInt64
    let size: Int64
    let modified: timespec
    let changed: timespec

    init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        size = Int64(info.st_size)
        modified = info.st_mtim
        changed = info.st_ctim
    }

    static func == (lhs: FileStamp, rhs: FileStamp) -> Bool {
        lhs.device == rhs.device && lhs.inode == rhs.inode && lhs.size == rhs.size
            && lhs.modified.tv_sec == rhs.modified.tv_sec && lhs.modified.tv_nsec == rhs.modified.tv_nsec
            && lhs.changed.tv_sec == rhs.changed.tv_sec && lhs.changed.tv_nsec == rhs.changed.tv_nsec
    }
}
