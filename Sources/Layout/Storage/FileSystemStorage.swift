// SPDX-License-Identifier: Apache-2.0
public import Foundation
import Glibc

/// `BlobStorage` on a local file system: one OCI layout directory, `blobs/<alg>/<hex>` and `index.json`, with
/// ocitool's private state in `.ocitool/` (`tmp/` for staged blobs, `lock` for the writers' `flock`).
///
/// Its own optimisations, beyond the protocol: blobs are staged on the same file system and renamed into place
/// (`commit`), open files give `sendfile` a descriptor (`BlobHandle.file`), writers of a layout serialize on an
/// exclusive `flock` (`serializingWriters`), and with a `pool` a store keeps each distinct blob once, hard-linked
/// into every repository that has it (`BlobPool`).
public struct FileSystemStorage: BlobStorage, Hashable {
    /// The layout directory.
    public let root: String
    /// `ROOT/index.json`.
    let indexPath: String
    /// The store's pool that commits deduplicate through, if any.
    let pool: BlobPool?

    /// - Parameters:
    ///   - root: the layout directory.
    ///   - pool: the store's shared pool, for a repository of a store.
    init(root: String, pool: BlobPool? = nil) {
        self.root = root
        self.indexPath = root + "/index.json"
        self.pool = pool
    }

    /// The same layout, committing through `pool`.
    func pooled(in pool: BlobPool) -> FileSystemStorage { FileSystemStorage(root: root, pool: pool) }

    /// `.ocitool/`: ocitool's private state inside the layout (lock file, temporary files).
    var privatePath: String { root + "/.ocitool" }
    /// Where blobs are staged before they are renamed into `blobs/`.
    var temporaryPath: String { privatePath + "/tmp" }
    var lockPath: String { privatePath + "/lock" }

    /// The absolute path of a blob (which may not exist).
    public func blobPath(_ digest: Digest) -> String { root + "/" + digest.blobPath }

    // MARK: Blobs

    public func size(of digest: Digest) -> Int64? { FileSystem.fileSize(blobPath(digest)) }

    public func modificationTime(of digest: Digest) -> Date? { FileSystem.modificationTime(blobPath(digest)) }

    public func open(_ digest: Digest) throws(LayoutError) -> any BlobHandle {
        do { return try FileBlob(path: blobPath(digest)) } catch {
            if case .io(_, _, let code) = error, code == ENOENT || code == ENOTDIR { throw .blobNotFound(digest) }
            throw error
        }
    }

    public func makeIngest(algorithm: DigestAlgorithm) throws(LayoutError) -> any BlobIngest {
        try BlobWriter(storage: self, algorithm: algorithm)
    }

    /// Without a pool: the staged file is renamed over `blobs/<alg>/<hex>` (atomically replacing any copy
    /// there, so a corrupt copy of the same size gives way to verified content) and the rename made durable.
    /// With a pool: a copy already in the layout, or in the pool (hard-linked in), is kept and the staged file
    /// dropped; a new blob is renamed in and linked into the pool. Staged content on another file system is
    /// copied over, verified again while written.
    public func commit(staged location: String, digest: Digest, size: Int64) throws(LayoutError) {
        let target = blobPath(digest)
        if let pool {
            // Present (and not just taken by gc): its mtime is refreshed so gc's grace period covers it.
            if self.size(of: digest) == size, FileSystem.touch(target) {
                discard(staged: location)
                pool.add(digest, from: self)
                return
            }
            if try pool.link(digest, size: size, into: self) {
                discard(staged: location)
                return
            }
        }
        let directory = FileSystem.parentDirectory(of: target)
        try FileSystem.makeDirectories(directory)
        // Staged long ago (an upload paused for long)? The blob must be young when it appears, for gc.
        FileSystem.touch(location)
        if Glibc.rename(location, target) == 0 {
            try FileSystem.syncDirectory(directory)
        } else {
            guard errno == EXDEV else { throw .io("rename to \(target)", path: location, errno: errno) }
            let writer = try BlobWriter(storage: self, algorithm: digest.algorithm)
            try BlobReader(path: location).forEachChunk { (chunk) throws(LayoutError) in try writer.write(chunk) }
            try writer.finish(expected: digest, expectedSize: size).commit()
            discard(staged: location)
            return
        }
        pool?.add(digest, from: self)
    }

    public func discard(staged location: String) { unlink(location) }

    public func delete(_ digest: Digest) throws(LayoutError) { try FileSystem.remove(blobPath(digest)) }

    /// Every file under `blobs/<alg>/` whose name is a valid digest.
    public func list() -> [Digest] {
        DigestAlgorithm.allCases.flatMap { algorithm in
            FileSystem.list("\(root)/blobs/\(algorithm.rawValue)").compactMap { name in
                try? Digest("\(algorithm.rawValue):\(name)")
            }
        }
    }
}

/// A blob file opened for reading.
final class FileBlob: BlobHandle {
    let descriptor: FileDescriptor
    let size: Int64

    init(path: String) throws(LayoutError) {
        descriptor = try FileDescriptor(path: path, flags: O_RDONLY)
        size = try descriptor.size()
        posix_fadvise(descriptor.raw, 0, 0, POSIX_FADV_SEQUENTIAL)
    }

    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws(LayoutError) -> Int {
        try descriptor.read(into: buffer, at: offset)
    }

    var file: FileDescriptor? { descriptor }
}
