// SPDX-License-Identifier: Apache-2.0
public import Foundation
import Glibc

extension OCILayout {
    /// The size of a blob without reading it, or nil when the layout does not have it.
    public func blobSize(_ digest: Digest) -> Int64? { storage.size(of: digest) }

    /// Opens a blob for streaming or ranged reads: the reader keeps reading the content it opened, even if the
    /// blob is removed meanwhile.
    /// - Throws: `LayoutError.blobNotFound`.
    public func openBlob(_ digest: Digest) throws(LayoutError) -> BlobReader { BlobReader(try storage.open(digest)) }

    /// Reads a small blob (manifest, config) whole, verifying its digest.
    /// - Throws: `.blobNotFound`, `.digestMismatch`, or `.tooLarge` past `limit`.
    public func readBlob(_ digest: Digest, limit: Int = Manifest.maxSize) throws(LayoutError) -> Data {
        let reader = try openBlob(digest)
        guard reader.size <= Int64(limit) else { throw .tooLarge(blobPath(digest), size: reader.size, limit: limit) }
        var data = Data(count: Int(reader.size))
        try data.withMutableBytes { (buffer) throws(LayoutError) in try reader.readExactly(into: buffer, at: 0) }
        let hasher = digest.makeHasher()
        hasher.update(data)
        let actual = hasher.finalize()
        guard actual == digest else { throw .digestMismatch(expected: digest, actual: actual) }
        return data
    }

    /// Stores bytes as a blob (verified against `expected` when given) and returns its digest and size.
    @discardableResult
    public func writeBlob(_ data: Data, expected: Digest? = nil) throws(LayoutError) -> (digest: Digest, size: Int64) {
        let hasher = DigestHasher(expected?.algorithm ?? .sha256)
        hasher.update(data)
        let digest = hasher.finalize()
        if let expected, expected != digest { throw .digestMismatch(expected: expected, actual: digest) }
        let writer = try storage.makeIngest(algorithm: digest.algorithm)
        try data.withBytes { (bytes) throws(LayoutError) in try writer.write(bytes) }
        try writer.finish(expected: digest, expectedSize: nil).commit()
        return (digest, Int64(data.count))
    }

    /// Brings a blob from another layout into this one: nothing when present, a hard link when both are
    /// directories on one filesystem (blobs are immutable), a reference when the storage can share the source's
    /// copy (`BlobStorage.adopt`: repositories of one bucket), else a streamed copy verified while written.
    /// - Parameter verifyingLinks: read a blob through its digest before linking it, so a corrupt source blob
    ///   fails the copy instead of spreading (a copy is verified anyway). Pass false only for a source whose
    ///   blobs were verified when they were stored, such as another repository of a store. A staging layout's
    ///   blobs are never read again.
    /// - Returns: the bytes actually copied (0 when present or linked).
    @discardableResult
    public func copyBlob(
        _ digest: Digest, from source: OCILayout, verifyingLinks: Bool = true, progress: ((Int64) -> Void)? = nil
    ) throws(LayoutError) -> Int64 {
        let size = source.blobSize(digest)
        guard let size else { throw .blobNotFound(digest) }
        if source.path == path { return 0 }
        let verifying = verifyingLinks && !source.isStaging
        if fileStorage != nil, source.fileStorage != nil {
            if try link(digest, size: size, from: source, verifying: verifying, progress: progress) { return 0 }
        } else if blobSize(digest) == size {
            return 0
        } else if try storage.adopt(digest, size: size, from: source.storage) {
            progress?(size)
            return 0
        }
        let reader = try source.openBlob(digest)
        let writer = try storage.makeIngest(algorithm: digest.algorithm)
        try reader.forEachChunk { (chunk) throws(LayoutError) in
            try writer.write(chunk)
            progress?(Int64(chunk.count))
        }
        try writer.finish(expected: digest, expectedSize: size).commit()
        return size
    }

    /// Between two layout directories: whether the blob is present (its mtime refreshed, so gc's grace period
    /// covers it until the manifest is listed; a blob gc took just before the touch is copied again), or could
    /// be hard-linked from `source` (on one filesystem; read through its digest first when `verifying`).
    private func link(
        _ digest: Digest, size: Int64, from source: OCILayout, verifying: Bool, progress: ((Int64) -> Void)?
    ) throws(LayoutError) -> Bool {
        let target = blobPath(digest)
        if blobSize(digest) == size, FileSystem.touch(target) { return true }
        let directory = FileSystem.parentDirectory(of: target)
        try FileSystem.makeDirectories(directory)
        // A target of the wrong size (truncated, corrupt) is replaced by the verified copy the caller makes.
        // A link shares the source's mtime: refresh it so gc's grace period covers this copy (if gc took the new
        // name in between, the touch fails and the blob is copied instead).
        guard FileStamp(path: source.blobPath(digest))?.device == FileStamp(path: directory)?.device else {
            return false
        }
        if verifying { try source.verifyBlob(digest, progress: progress) }
        guard Glibc.link(source.blobPath(digest), target) == 0, FileSystem.touch(target) else { return false }
        try FileSystem.syncDirectory(directory)
        if !verifying { progress?(size) }
        return true
    }

    /// Reads a blob through its digest.
    /// - Throws: `.digestMismatch` when its content is not what its name says.
    func verifyBlob(_ digest: Digest, progress: ((Int64) -> Void)?) throws(LayoutError) {
        let actual = try hashBlob(digest, progress: progress).digest
        guard actual == digest else { throw .digestMismatch(expected: digest, actual: actual) }
    }

    /// What a blob's content hashes to (with its name's algorithm) and its size, in one streamed read.
    func hashBlob(_ digest: Digest, progress: ((Int64) -> Void)? = nil)
        throws(LayoutError) -> (digest: Digest, size: Int64)
    {
        let reader = try openBlob(digest)
        let hasher = digest.makeHasher()
        try reader.forEachChunk { (chunk) throws(LayoutError) in
            hasher.update(chunk)
            progress?(Int64(chunk.count))
        }
        return (hasher.finalize(), reader.size)
    }

    /// Every blob file under `blobs/` whose name is a valid digest.
    public func allBlobs() -> [Digest] { storage.list() }

    /// Deletes a blob; succeeds when it is already gone.
    public func removeBlob(_ digest: Digest) throws(LayoutError) { try storage.delete(digest) }
}
