// SPDX-License-Identifier: Apache-2.0
import Glibc

extension BlobWriter {
    /// Prefix of partial downloads in `.ocitool/tmp/` (`partial-<alg>-<hex>`).
    static let partialPrefix = "partial-"

    /// A writer for a blob whose digest is known ahead (a download), kept in a file named after that digest,
    /// `.ocitool/tmp/partial-<alg>-<hex>`, so that a run killed mid-blob leaves its bytes where the next run
    /// finds them. The bytes already there are hashed once (one sequential read of a local file, instead of
    /// fetching them again) and the writer goes on from `count`; the caller asks its source for the rest
    /// (`Range: bytes=COUNT-`).
    ///
    /// The file is owned through an exclusive `flock` for as long as the writer (then its `StagedBlob`) lives,
    /// so two copies of one blob never write the same file: the second gets nil and should write a blob of
    /// its own (`init(layout:algorithm:)`). Unlike a plain writer, an abandoned or failed one keeps its file for
    /// the next run; only `finish` removes it, when the content does not verify, so a partial file is never
    /// committed unverified. gc and `fsck --repair` remove partial files only when no writer holds them and
    /// they are older than `TemporaryFile.resumableGrace` (see `TemporaryFile.mayBeInFlight`).
    /// - Parameters:
    ///   - digest: the blob's digest (names the file and picks the hash).
    ///   - size: its size; a partial file longer than that is started over.
    ///   - layout: the layout the blob goes into.
    /// - Returns: the writer, with `count` bytes already in place, or nil when another writer owns the file or
    ///   the layout is not a directory.
    /// - Throws: I/O errors.
    public static func resuming(_ digest: Digest, size: Int64, in layout: OCILayout) throws(LayoutError)
        -> BlobWriter?
    {
        guard let storage = layout.fileStorage else { return nil }
        try FileSystem.makeDirectories(layout.temporaryPath)
        guard let file = try FileDescriptor.openLocked(path: layout.partialBlobPath(digest), mode: 0o644) else {
            return nil
        }
        return try resume(file, digest: digest, size: size, in: storage)
    }

    /// Hashes what a locked partial file holds and positions the writer at its end.
    private static func resume(_ file: FileDescriptor, digest: Digest, size: Int64, in storage: FileSystemStorage)
        throws(LayoutError) -> BlobWriter
    {
        var present = try file.size()
        if present > size {
            try file.truncate(to: 0)
            present = 0
        }
        let hasher = digest.makeHasher()
        var magic: [UInt8] = []
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: BlobReader.chunkSize, alignment: 16)
        defer { buffer.deallocate() }
        var position: Int64 = 0
        while position < present {
            let count = try file.read(into: buffer, at: position)
            if count == 0 { break }
            let bytes = UnsafeRawBufferPointer(rebasing: buffer[..<count])
            if magic.count < 8 { magic += bytes.prefix(8 - magic.count) }
            hasher.update(bytes)
            position += Int64(count)
        }
        try file.truncate(to: position)
        return BlobWriter(
            storage: storage, file: file, hasher: hasher, keepsPartialFile: true, count: position, magic: magic)
    }

    /// Drops everything written so far and starts again from byte 0 (the source could not resume).
    public func restart() throws(LayoutError) {
        try file.truncate(to: 0)
        hasher = DigestHasher(hasher.algorithm)
        count = 0
        magic = []
        writeback = ProgressiveWriteback()
    }
}

extension OCILayout {
    /// Where a partial download of `digest` waits: `.ocitool/tmp/partial-<alg>-<hex>`.
    func partialBlobPath(_ digest: Digest) -> String {
        "\(temporaryPath)/\(BlobWriter.partialPrefix)\(digest.algorithm.rawValue)-\(digest.encoded)"
    }
}
