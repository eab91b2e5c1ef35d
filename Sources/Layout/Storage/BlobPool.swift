// SPDX-License-Identifier: Apache-2.0
import Foundation
import Glibc

/// A store's shared blob pool on the file system, `ROOT/.ocitool/pool/<alg>/<hex>`: one hard link per distinct
/// blob, so that a blob pushed to several repositories is kept once. Repositories hold their own links: removing
/// a blob from one repository unlinks only that name, and the pool entry stays until no repository links it any
/// more. An optimisation of `FileSystemStorage` only: nothing outside it relies on the pool.
struct BlobPool: Sendable, Hashable {
    /// `ROOT/.ocitool/pool`.
    let directory: String

    /// Where the pool keeps a blob.
    func path(_ digest: Digest) -> String { "\(directory)/\(digest.algorithm.rawValue)/\(digest.encoded)" }

    /// The size of the pool's copy of a blob, or nil when the pool does not have it.
    func size(of digest: Digest) -> Int64? { FileSystem.fileSize(path(digest)) }

    /// Links the pool's copy of a blob into a layout (a hard link: no data is copied).
    /// - Returns: whether the layout now has the blob; false when the pool does not have it (with `size`, when
    ///   known) or cannot link it there (another filesystem).
    /// - Throws: I/O errors making the link durable.
    func link(_ digest: Digest, size: Int64? = nil, into storage: FileSystemStorage) throws(LayoutError) -> Bool {
        guard let pooled = self.size(of: digest), size == nil || size == pooled else { return false }
        let target = storage.blobPath(digest)
        if storage.size(of: digest) == pooled, FileSystem.touch(target) { return true }
        let directory = FileSystem.parentDirectory(of: target)
        try FileSystem.makeDirectories(directory)
        // A link shares the pool file's mtime: refresh it first, so that gc's grace period covers the new name
        // from its first instant until a manifest lists it.
        FileSystem.touch(path(digest))
        guard Glibc.link(path(digest), target) == 0 || errno == EEXIST else { return false }
        try FileSystem.syncDirectory(directory)
        return storage.size(of: digest) == pooled && FileSystem.touch(target)
    }

    /// Adds a layout's blob to the pool unless the pool has it. Best effort: the pool only saves space, so a
    /// failure (another filesystem, a full disk) leaves the blob unshared.
    func add(_ digest: Digest, from storage: FileSystemStorage) {
        let path = path(digest)
        guard FileSystem.fileSize(path) == nil, storage.size(of: digest) != nil else { return }
        try? FileSystem.makeDirectories(FileSystem.parentDirectory(of: path))
        _ = Glibc.link(storage.blobPath(digest), path)
    }

    /// Removes entries no repository links any more (link count 1) and unchanged for `grace` seconds.
    /// - Returns: the digests removed.
    func sweep(grace: Double, now: Date) -> [Digest] {
        var removed: [Digest] = []
        for algorithm in DigestAlgorithm.allCases {
            let folder = "\(directory)/\(algorithm.rawValue)"
            for name in FileSystem.list(folder) {
                guard let digest = try? Digest("\(algorithm.rawValue):\(name)") else { continue }
                var info = stat()
                let path = folder + "/" + name
                guard lstat(path, &info) == 0, info.st_nlink <= 1,
                    let modified = FileSystem.modificationTime(path), now.timeIntervalSince(modified) >= grace
                else { continue }
                if unlink(path) == 0 { removed.append(digest) }
            }
        }
        return removed
    }
}
