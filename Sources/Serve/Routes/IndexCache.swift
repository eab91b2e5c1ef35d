// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout

/// Parsed index.json per repository, kept while its version is unchanged.
///
/// Every lookup asks Layout for the index's current version (on the file system one `stat`) and compares it
/// with what was cached: every write (by this server or by the CLI running beside it) gives a new version, and
/// the next request reads the new index.
final class IndexCache: @unchecked Sendable {
    /// Guards `entries`; held only to look up or store, never across I/O.
    private let lock = NSLock()
    private var entries: [OCILayout: (version: IndexVersion, index: ImageIndex)] = [:]

    /// index.json of `layout`, from memory when it has not changed.
    func index(of layout: OCILayout) throws(LayoutError) -> ImageIndex {
        try versionedIndex(of: layout).index
    }

    /// index.json of `layout` and the version read (nil when it could not be had). Anything derived from the
    /// index stays valid while `layout.indexVersion()` still equals that version.
    func versionedIndex(of layout: OCILayout) throws(LayoutError) -> (index: ImageIndex, version: IndexVersion?) {
        guard let current = layout.indexVersion() else { return (try layout.readIndex(), nil) }
        if let cached = lock.withLock({ entries[layout] }), cached.version == current {
            return (cached.index, current)
        }
        let (index, version) = try layout.readVersionedIndex()
        lock.withLock { entries[layout] = (version, index) }
        return (index, version)
    }
}
