// SPDX-License-Identifier: Apache-2.0
public import Foundation
import Glibc

/// A storage with a local disk cache in front of its blob reads (`BlobCache`): every call goes to `inner`,
/// except that opening a blob the cache has reads the cached file once `inner` has said the blob is there
/// (one metadata lookup instead of a transfer), and a blob read whole and in order from `inner` is kept.
public struct CachingBlobStorage: BlobStorage {
    /// The storage that holds the blobs.
    public let inner: any BlobStorage
    /// The cache in front of it.
    public let cache: BlobCache

    public init(_ inner: any BlobStorage, cache: BlobCache) {
        self.inner = inner
        self.cache = cache
    }

    public func size(of digest: Digest) -> Int64? { inner.size(of: digest) }

    public func modificationTime(of digest: Digest) -> Date? { inner.modificationTime(of: digest) }

    public func open(_ digest: Digest) throws(LayoutError) -> any BlobHandle {
        if let cached = cache.open(digest, allowed: { inner.size(of: digest) != nil }) { return cached }
        return FillingHandle(try inner.open(digest), digest: digest, cache: cache)
    }

    public func makeIngest(algorithm: DigestAlgorithm) throws(LayoutError) -> any BlobIngest {
        try inner.makeIngest(algorithm: algorithm)
    }

    public func commit(staged location: String, digest: Digest, size: Int64) throws(LayoutError) {
        try inner.commit(staged: location, digest: digest, size: size)
    }

    public func discard(staged location: String) { inner.discard(staged: location) }

    public func adopt(_ digest: Digest, size: Int64, from source: any BlobStorage) throws(LayoutError) -> Bool {
        try inner.adopt(digest, size: size, from: (source as? CachingBlobStorage)?.inner ?? source)
    }

    public func directURL(of digest: Digest, validFor seconds: Int) throws(LayoutError) -> String? {
        try inner.directURL(of: digest, validFor: seconds)
    }

    public func delete(_ digest: Digest) throws(LayoutError) { try inner.delete(digest) }

    public func list() -> [Digest] { inner.list() }

    public func indexVersion() -> IndexVersion? { inner.indexVersion() }

    public func readIndex(limit: Int) throws(LayoutError) -> (data: Data, version: IndexVersion)? {
        try inner.readIndex(limit: limit)
    }

    public func replaceIndex(with data: Data, ifVersion expected: IndexVersion?) throws(LayoutError) -> IndexVersion? {
        try inner.replaceIndex(with: data, ifVersion: expected)
    }

    public func serializingWriters<T>(_ body: () throws(LayoutError) -> T) throws(LayoutError) -> T {
        try inner.serializingWriters(body)
    }
}

/// A handle of the inner storage whose reads, while they go in order from byte 0, are also written to a cache
/// file and hashed; the file becomes the cached copy once the last byte is read and the digest matches. Any
/// other read pattern (a range) leaves the cache alone.
private final class FillingHandle: BlobHandle, @unchecked Sendable {
    let inner: any BlobHandle
    let digest: Digest
    let cache: BlobCache
    private let lock = NSLock()
    private var fill: (path: String, file: FileDescriptor, hasher: DigestHasher, next: Int64)?

    init(_ inner: any BlobHandle, digest: Digest, cache: BlobCache) {
        self.inner = inner
        self.digest = digest
        self.cache = cache
        let path = cache.temporaryPath()
        if inner.size <= cache.maxSize,
            let file = try? FileDescriptor(path: path, flags: O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode: 0o644)
        {
            fill = (path, file, digest.makeHasher(), 0)
        }
    }

    deinit { abandon() }

    var size: Int64 { inner.size }
    var file: FileDescriptor? { nil }

    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws(LayoutError) -> Int {
        let count = try inner.read(into: buffer, at: offset)
        lock.withLock { keep(UnsafeRawBufferPointer(rebasing: buffer[..<count]), at: offset) }
        return count
    }

    /// Under the lock: appends what was read in order, admits the complete and verified file.
    private func keep(_ bytes: UnsafeRawBufferPointer, at offset: Int64) {
        guard var current = fill else { return }
        guard offset == current.next, (try? current.file.writeAll(bytes)) != nil else { return abandon() }
        current.hasher.update(bytes)
        current.next += Int64(bytes.count)
        fill = current
        guard current.next == inner.size else { return }
        fill = nil
        guard current.hasher.finalize() == digest, (try? current.file.sync()) != nil else {
            unlink(current.path)
            return
        }
        cache.admit(current.path, digest: digest, size: current.next)
    }

    private func abandon() {
        if let current = fill { unlink(current.path) }
        fill = nil
    }
}
