// SPDX-License-Identifier: Apache-2.0
public import Foundation
import Glibc

/// A local disk cache of blobs a slower storage holds (an object store's), least recently used first out
/// past `maxSize`. Entries are files named by digest under `directory`, written only whole and verified
/// (`CachingBlobStorage` tees a full sequential read into one), so a hit is served from a file, with
/// `sendfile` where the server uses it. Blobs are immutable, so an entry is never stale: whether a repository
/// may read a blob is still asked of the storage on every open.
public final class BlobCache: @unchecked Sendable {
    /// What happened, for metrics.
    public enum Event: Sendable {
        case hit
        case miss
        /// A blob was stored, of this size.
        case stored(Int64)
        /// A blob was evicted, of this size.
        case evicted(Int64)
    }

    /// The cache's directory (created when missing).
    public let directory: String
    /// The most bytes kept.
    public let maxSize: Int64
    private let observe: @Sendable (Event) -> Void
    private let lock = NSLock()
    private var entries: [Digest: (size: Int64, used: UInt64)] = [:]
    private var total: Int64 = 0
    private var clock: UInt64 = 0

    /// Opens the cache, taking in what a previous run left (oldest first by modification time); temporary
    /// files of an interrupted fill are removed.
    /// - Throws: I/O errors creating `directory`.
    public init(directory: String, maxSize: Int64, observe: @escaping @Sendable (Event) -> Void = { _ in })
        throws(LayoutError)
    {
        self.directory = directory
        self.maxSize = maxSize
        self.observe = observe
        try FileSystem.makeDirectories(directory)
        var found: [(Digest, Int64, Date)] = []
        for name in FileSystem.list(directory) {
            let path = directory + "/" + name
            guard let digest = try? Digest(name.replacingOccurrences(of: "-", with: ":")),
                let size = FileSystem.fileSize(path), let modified = FileSystem.modificationTime(path)
            else {
                unlink(path)
                continue
            }
            found.append((digest, size, modified))
        }
        for (digest, size, _) in found.sorted(by: { $0.2 < $1.2 }) {
            clock += 1
            entries[digest] = (size, clock)
            total += size
        }
        lock.withLock { evict() }
    }

    /// The cached copy of a blob, when the cache holds one and `allowed` (asked only then: the storage's word that
    /// the reader may have the blob) agrees; nil otherwise. A blob the cache does not hold counts as a miss.
    func open(_ digest: Digest, allowed: () -> Bool) -> (any BlobHandle)? {
        let held = lock.withLock { () -> Bool in
            guard entries[digest] != nil else { return false }
            clock += 1
            entries[digest]?.used = clock
            return true
        }
        if held {
            guard allowed() else { return nil }
            if let blob = try? FileBlob(path: path(of: digest)) {
                observe(.hit)
                return blob
            }
            lock.withLock { forget(digest) }  // removed behind the cache's back
        }
        observe(.miss)
        return nil
    }

    /// A new temporary file to fill with a blob, for `admit`.
    func temporaryPath() -> String { directory + "/.fill-\(getpid())-\(UInt64.random(in: 0...UInt64.max))" }

    /// Makes a verified, complete file at `path` the cached copy of `digest`, evicting the least recently used
    /// entries past `maxSize`. A blob larger than the whole cache is not kept.
    func admit(_ path: String, digest: Digest, size: Int64) {
        guard size <= maxSize, rename(path, self.path(of: digest)) == 0 else {
            unlink(path)
            return
        }
        lock.withLock {
            forget(digest)
            clock += 1
            entries[digest] = (size, clock)
            total += size
            evict()
        }
        observe(.stored(size))
    }

    /// Drops a blob's cached copy (its bytes were deleted from the storage).
    package func remove(_ digest: Digest) {
        lock.withLock { forget(digest) }
        unlink(path(of: digest))
    }

    private func path(of digest: Digest) -> String { directory + "/" + digest.algorithm.rawValue + "-" + digest.encoded }

    /// Under the lock.
    private func forget(_ digest: Digest) {
        if let entry = entries.removeValue(forKey: digest) { total -= entry.size }
    }

    /// Under the lock: the least recently used entries go until the cache fits.
    private func evict() {
        while total > maxSize, let oldest = entries.min(by: { $0.value.used < $1.value.used }) {
            forget(oldest.key)
            unlink(path(of: oldest.key))
            observe(.evicted(oldest.value.size))
        }
    }
}
