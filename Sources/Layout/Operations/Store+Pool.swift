// SPDX-License-Identifier: Apache-2.0
public import Foundation
import Glibc

/// The store's shared blob pool, `ROOT/.ocitool/pool/<alg>/<hex>`: one hard link per distinct blob, so that a blob
/// pushed to several repositories is kept once. Repositories hold their own links: removing a blob from one
/// repository unlinks only that name, and the pool entry stays until no repository links it any more.
extension Store {
    /// `ROOT/.ocitool/pool`.
    var poolDirectory: String { root + "/.ocitool/pool" }

    /// Where the pool keeps a blob.
    func poolPath(_ digest: Digest) -> String { "\(poolDirectory)/\(digest.algorithm.rawValue)/\(digest.encoded)" }

    /// The size of the pool's copy of a blob, or nil when the pool does not have it.
    public func pooledSize(_ digest: Digest) -> Int64? { FileSystem.fileSize(poolPath(digest)) }

    /// Links the pool's copy of a blob into a layout (a hard link: no data is copied).
    /// - Parameters:
    ///   - digest: the blob.
    ///   - size: the size it must have, if known.
    ///   - layout: the layout that gets the blob.
    /// - Returns: whether the layout now has the blob; false when the pool does not have it or cannot link it
    ///   there (another filesystem).
    /// - Throws: I/O errors making the link durable.
    @discardableResult
    public func linkFromPool(_ digest: Digest, size: Int64? = nil, into layout: OCILayout) throws(LayoutError) -> Bool {
        guard let pooled = pooledSize(digest), size == nil || size == pooled else { return false }
        let target = layout.blobPath(digest)
        if layout.blobSize(digest) == pooled, FileSystem.touch(target) { return true }
        let directory = FileSystem.parentDirectory(of: target)
        try FileSystem.makeDirectories(directory)
        // A link shares the pool file's mtime: refresh it first, so that gc's grace period covers the new name
        // from its first instant until a manifest lists it.
        FileSystem.touch(poolPath(digest))
        guard link(poolPath(digest), target) == 0 || errno == EEXIST else { return false }
        try FileSystem.syncDirectory(directory)
        return layout.blobSize(digest) == pooled && FileSystem.touch(target)
    }

    /// Adds a layout's blob to the pool unless the pool has it. Best effort: the pool only saves space, so a
    /// failure (another filesystem, a full disk) leaves the blob unshared.
    public func addToPool(_ digest: Digest, from layout: OCILayout) {
        let path = poolPath(digest)
        guard FileSystem.fileSize(path) == nil, layout.blobSize(digest) != nil else { return }
        try? FileSystem.makeDirectories(FileSystem.parentDirectory(of: path))
        _ = link(layout.blobPath(digest), path)
    }

    /// Commits a verified, durable file as blob `digest` of `layout`, keeping one copy per store: when the layout
    /// or the pool already has the blob the file is dropped (and the pool's copy linked in); otherwise it is
    /// renamed into `blobs/` and linked into the pool.
    /// - Parameters:
    ///   - path: the file, on the store's filesystem; it is consumed.
    ///   - digest: its verified digest.
    ///   - size: its size.
    ///   - layout: the layout that gets the blob.
    /// - Throws: I/O errors; the file is left in place then.
    public func commitBlob(file path: String, digest: Digest, size: Int64, into layout: OCILayout)
        throws(LayoutError)
    {
        let target = layout.blobPath(digest)
        // Present (and not just taken by gc): refresh its mtime so gc's grace period covers it.
        if layout.blobSize(digest) == size, FileSystem.touch(target) {
            try FileSystem.remove(path)
            addToPool(digest, from: layout)
            return
        }
        if try linkFromPool(digest, size: size, into: layout) {
            try FileSystem.remove(path)
            return
        }
        let directory = FileSystem.parentDirectory(of: target)
        try FileSystem.makeDirectories(directory)
        FileSystem.touch(path)  // an upload paused for long has an old mtime; the blob must be young when it appears
        if Glibc.rename(path, target) == 0 {
            try FileSystem.syncDirectory(directory)
        } else {
            guard errno == EXDEV else { throw .io("rename to \(target)", path: path, errno: errno) }
            // The layout is on another filesystem: a streamed copy, verified again while written.
            let writer = try BlobWriter(layout: layout, algorithm: digest.algorithm)
            try BlobReader(path: path).forEachChunk { (chunk) throws(LayoutError) in try writer.write(chunk) }
            try writer.finish(expected: digest, expectedSize: size).commit()
            try FileSystem.remove(path)
        }
        addToPool(digest, from: layout)
    }

    /// Removes pool entries no repository links any more (link count 1) and unchanged for `grace` seconds.
    /// - Returns: the digests removed.
    @discardableResult
    public func sweepPool(grace: Double = 3600, now: Date = Date()) -> [Digest] {
        var removed: [Digest] = []
        for algorithm in DigestAlgorithm.allCases {
            let directory = "\(poolDirectory)/\(algorithm.rawValue)"
            for name in FileSystem.list(directory) {
                guard let digest = try? Digest("\(algorithm.rawValue):\(name)") else { continue }
                var info = stat()
                let path = directory + "/" + name
                guard lstat(path, &info) == 0, info.st_nlink <= 1,
                    let modified = FileSystem.modificationTime(path), now.timeIntervalSince(modified) >= grace
                else { continue }
                if unlink(path) == 0 { removed.append(digest) }
            }
        }
        return removed
    }
}
