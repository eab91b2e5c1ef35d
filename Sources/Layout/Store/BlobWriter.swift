// SPDX-License-Identifier: Apache-2.0
public import Foundation
import Glibc

/// Streams one blob into a layout: bytes go to a temporary file under `.ocitool/tmp/` and through the hasher
/// in one pass; `finish` fsyncs and verifies, and the resulting `StagedBlob` is renamed into `blobs/` only on
/// `commit`. Readers never see partial content, and an abandoned writer removes its temporary file.
///
/// Confined to one task at a time.
public final class BlobWriter: BlobIngest {
    /// Blocks at least this large are hashed and written in parallel.
    static let parallelThreshold = 256 * 1024
    /// Bytes mapped for hashing, and copied, per step of `append(from:offset:length:)`.
    static let copyWindow: Int64 = 8 * 1024 * 1024
    var writeback = ProgressiveWriteback()

    let storage: FileSystemStorage
    let file: FileDescriptor
    var hasher: DigestHasher
    private var done = false
    /// Whether the temporary file outlives an abandoned writer (a partial download the next run resumes,
    /// `BlobWriter.resuming`).
    let keepsPartialFile: Bool
    /// Bytes written so far (for a resumed writer, including those found in the partial file).
    public internal(set) var count: Int64 = 0
    /// The first bytes written (up to 8), to recognise compression without reading the blob again.
    public internal(set) var magic: [UInt8] = []

    /// Starts a blob in `layout`, a layout directory, hashed with `algorithm`.
    /// - Throws: `LayoutError.invalidLayout` for a layout in an object store (use `BlobStorage.makeIngest`).
    public convenience init(layout: OCILayout, algorithm: DigestAlgorithm = .sha256) throws(LayoutError) {
        guard let storage = layout.fileStorage else {
            throw .invalidLayout(layout.path, reason: "not a layout directory: write through its storage")
        }
        try self.init(storage: storage, algorithm: algorithm)
    }

    /// Starts a blob in `storage`'s temporary directory, hashed with `algorithm`.
    convenience init(storage: FileSystemStorage, algorithm: DigestAlgorithm) throws(LayoutError) {
        try FileSystem.makeDirectories(storage.temporaryPath)
        let path = "\(storage.temporaryPath)/blob-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        let file = try FileDescriptor(path: path, flags: O_WRONLY | O_CREAT | O_EXCL, mode: 0o644)
        self.init(storage: storage, file: file, hasher: DigestHasher(algorithm), keepsPartialFile: false)
    }

    /// A writer appending to `file`, which already holds `count` bytes that `hasher` has seen.
    init(storage: FileSystemStorage, file: FileDescriptor, hasher: DigestHasher, keepsPartialFile: Bool,
         count: Int64 = 0, magic: [UInt8] = []) {
        self.storage = storage
        self.file = file
        self.hasher = hasher
        self.keepsPartialFile = keepsPartialFile
        self.count = count
        self.magic = magic
        self.writeback = ProgressiveWriteback(size: count)
    }

    deinit {
        if !done, !keepsPartialFile { unlink(file.path) }
    }

    /// Appends bytes.
    ///
    /// Large blocks are hashed on one thread while another writes them; the call returns when both are done,
    /// so `bytes` need only live for the call. Writeback starts as the file grows (`ProgressiveWriteback`).
    public func write(_ bytes: UnsafeRawBufferPointer) throws(LayoutError) {
        if magic.count < 8 { magic += bytes.prefix(8 - magic.count) }
        if bytes.count >= BlobWriter.parallelThreshold {
            try inParallel({ hasher.update(bytes) }, { () throws(LayoutError) in try file.writeAll(bytes) })
        } else {
            hasher.update(bytes)
            try file.writeAll(bytes)
        }
        advance(by: bytes.count)
    }

    /// Appends `length` bytes of `source` from `offset`: one thread has the kernel copy them file to file
    /// (`sendfile`, no user-space buffer) while another hashes them from read-only mappings of the page cache,
    /// window by window, the two meeting only at the end. Importing a 1 GiB layer from a tar file this way
    /// skips two of the three copies a read and a write make. The source must not shrink while it is read.
    /// - Parameter copied: called with each window's byte count once it is copied (from the copying thread).
    public func append(
        from source: FileDescriptor, offset: Int64, length: Int64, copied: (Int64) -> Void = { _ in }
    ) throws(LayoutError) {
        try inParallel(
            { () throws(LayoutError) in try hashMapped(source, offset: offset, length: length) },
            { () throws(LayoutError) in
                var position = offset
                while position < offset + length {
                    let window = min(offset + length - position, BlobWriter.copyWindow)
                    try file.copy(from: source, offset: position, count: window)
                    position += window
                    advance(by: Int(window))
                    copied(window)
                }
            })
    }

    /// Hashes a range of `source` through a mapping per window (and keeps its first bytes as the magic).
    private func hashMapped(_ source: FileDescriptor, offset: Int64, length: Int64) throws(LayoutError) {
        let page = Int64(sysconf(Int32(_SC_PAGESIZE)))
        var position = offset
        while position < offset + length {
            let window = min(offset + length - position, BlobWriter.copyWindow)
            let mapStart = position - position % page
            let mapLength = Int(position - mapStart + window)
            guard
                let base = mmap(nil, mapLength, PROT_READ, MAP_SHARED | MAP_POPULATE, source.raw, off_t(mapStart)),
                base != MAP_FAILED
            else { throw .io("mmap", path: source.path, errno: errno) }
            defer { munmap(base, mapLength) }
            let bytes = UnsafeRawBufferPointer(start: base + Int(position - mapStart), count: Int(window))
            if magic.count < 8 { magic += bytes.prefix(8 - magic.count) }
            hasher.update(bytes)
            position += window
        }
    }

    /// Appends bytes.
    public func write(_ data: Data) throws(LayoutError) {
        try data.withBytes { (bytes) throws(LayoutError) in try write(bytes) }
    }

    /// Counts appended bytes, and every few MiB starts writeback of the fresh range.
    private func advance(by appended: Int) {
        count += Int64(appended)
        writeback.advance(file, to: count)
    }

    /// Makes the content durable and checks it.
    /// - Parameters:
    ///   - expected: the digest the content must have, if known.
    ///   - expectedSize: the size it must have, if known.
    /// - Returns: the staged blob, not yet visible in the layout.
    /// - Throws: `LayoutError.sizeMismatch` or `.digestMismatch`; the temporary file is removed.
    public func finish(expected: Digest? = nil, expectedSize: Int64? = nil) throws(LayoutError) -> StagedBlob {
        precondition(!done, "BlobWriter finished twice")
        done = true
        let digest = hasher.finalize()
        do throws(LayoutError) {
            try StagedBlob.verify(digest: digest, size: count, expected: expected, expectedSize: expectedSize)
            try file.sync()
        } catch {
            unlink(file.path)
            throw error
        }
        let staged = StagedBlob(storage: storage, location: file.path, digest: digest, size: count, magic: magic)
        // A partial file stays locked (its descriptor open) until it is renamed into place or dropped.
        if keepsPartialFile { staged.lockHolder = file }
        return staged
    }
}
