// SPDX-License-Identifier: Apache-2.0
public import Foundation

/// The store's shared blob pool (`BlobPool`, `ROOT/.ocitool/pool/<alg>/<hex>`): a blob pushed to several
/// repositories is kept once.
extension Store {
    /// The pool.
    var pool: BlobPool { BlobPool(directory: root + "/.ocitool/pool") }

    /// A repository's storage, committing through the pool (a layout directory's; a backend's commits as is).
    func storage(of layout: OCILayout) -> any BlobStorage { layout.fileStorage?.pooled(in: pool) ?? layout.storage }

    /// The size of the pool's copy of a blob, or nil when the pool does not have it.
    public func pooledSize(_ digest: Digest) -> Int64? { pool.size(of: digest) }

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
        guard let storage = layout.fileStorage else { return false }
        return try pool.link(digest, size: size, into: storage)
    }

    /// Adds a layout's blob to the pool unless the pool has it. Best effort: the pool only saves space, so a
    /// failure (another filesystem, a full disk) leaves the blob unshared.
    public func addToPool(_ digest: Digest, from layout: OCILayout) {
        if let storage = layout.fileStorage { pool.add(digest, from: storage) }
    }

    /// Commits a verified, durable file as blob `digest` of `layout` through the one commit step
    /// (`FileSystemStorage.commit`), keeping one copy per store: when the layout or the pool already has the blob
    /// the file is dropped (and the pool's copy linked in); otherwise it is renamed into `blobs/` and linked into
    /// the pool.
    /// - Parameters:
    ///   - path: the file, on the store's filesystem; it is consumed, also when the commit fails.
    ///   - digest: its verified digest.
    ///   - size: its size.
    ///   - layout: the layout that gets the blob.
    /// - Throws: I/O errors.
    public func commitBlob(file path: String, digest: Digest, size: Int64, into layout: OCILayout)
        throws(LayoutError)
    {
        try StagedBlob(storage: storage(of: layout), location: path, digest: digest, size: size, magic: []).commit()
    }

    /// Removes pool entries no repository links any more (link count 1) and unchanged for `grace` seconds.
    /// - Returns: the digests removed.
    @discardableResult
    public func sweepPool(grace: Double = 3600, now: Date = Date()) -> [Digest] { pool.sweep(grace: grace, now: now) }
}
