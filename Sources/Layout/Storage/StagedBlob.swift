// SPDX-License-Identifier: Apache-2.0

/// A verified, durable blob waiting in its storage's temporary space to be committed. Every writer ends here
/// (`BlobWriter`, the registry's upload sessions): `verify` is their one check and `commit` their one commit
/// step (`BlobStorage.commit`). Dropped on deinit if never committed.
public final class StagedBlob {
    public let digest: Digest
    public let size: Int64
    /// The first bytes of the content.
    public let magic: [UInt8]
    /// The storage that commits it.
    let storage: any BlobStorage
    /// Where the content waits (read back by importers that need a staged manifest).
    let location: String
    private var settled = false
    /// The open, `flock`ed file of a resumed download, released once the blob is committed or dropped.
    var lockHolder: FileDescriptor?

    /// - Parameters:
    ///   - storage: the storage whose temporary space holds the content.
    ///   - location: where, in its terms; consumed by `commit` or `discard` (or deinit).
    ///   - digest: the verified digest, `size` the verified size, `magic` the first bytes.
    package init(storage: any BlobStorage, location: String, digest: Digest, size: Int64, magic: [UInt8]) {
        self.storage = storage
        self.location = location
        self.digest = digest
        self.size = size
        self.magic = magic
    }

    deinit { if !settled { storage.discard(staged: location) } }

    /// The check every writer makes before it stages content.
    /// - Parameters:
    ///   - digest: what the content hashed to, `size` how many bytes it has.
    ///   - expected: the digest it must have, if known; `expectedSize` the size.
    /// - Throws: `LayoutError.sizeMismatch` or `.digestMismatch`.
    package static func verify(digest: Digest, size: Int64, expected: Digest?, expectedSize: Int64?) throws(LayoutError) {
        if let expectedSize, expectedSize != size {
            throw .sizeMismatch(expected ?? digest, expected: expectedSize, actual: size)
        }
        if let expected, expected != digest { throw .digestMismatch(expected: expected, actual: digest) }
    }

    /// Makes the blob visible under its digest (`BlobStorage.commit`); the blob comes out young for gc's grace
    /// period, so it is covered until its manifest is listed.
    /// - Throws: I/O errors; nothing becomes visible then.
    public func commit() throws(LayoutError) {
        guard !settled else { return }
        try storage.commit(staged: location, digest: digest, size: size)
        settled = true
        lockHolder = nil
    }

    /// Drops the staged content.
    public func discard() {
        guard !settled else { return }
        settled = true
        storage.discard(staged: location)
        lockHolder = nil
    }

    /// The compression the content starts with, judged from its magic bytes.
    public var compression: Compression { Compression(magic: magic) }
}
