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
