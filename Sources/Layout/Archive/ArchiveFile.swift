// SPDX-License-Identifier: Apache-2.0
import Foundation

/// One regular file of an archive, hashed while it was read.
struct ArchiveFile {
    /// Where the bytes are.
    enum Content {
        case memory(Data)
        /// Staged in an importing layout's temporary directory.
        case staged(StagedBlob)
        /// `size` bytes of a file from `offset`: the archive itself (a plain tar read in place) or the spool
        /// of an `ArchiveSource` (`ArchiveSpool`).
        case range(FileDescriptor, offset: Int64)
    }

    /// The digest of the content uncompressed: a layer's diff ID.
    enum DiffID {
        /// The content is not gzip or zstd: its diff ID is its digest.
        case content
        /// The content is compressed; this is the digest of what it decompresses to.
        case decoded(Digest)
        /// The content looks compressed but does not decode.
        case undecodable(StreamDecodeError)
        /// The content is compressed under a `blobs/<alg>/<hex>` name and was not decoded: that name verifies it.
        case unchecked
    }

    let content: Content
    /// The digest of the content (sha256, or the algorithm a `blobs/<alg>/<hex>` name asks for).
    let digest: Digest
    let size: Int64
    /// The first bytes of the content.
    let magic: [UInt8]
    let diffID: DiffID
    /// Whether the content is a manifest (import counts blobs without them, as copy does).
    var isManifest = false

    /// A manifest ocitool generated, as a file.
    init(generated data: Data) {
        self.init(content: .memory(data), digest: Digest.sha256(of: data), size: Int64(data.count), magic: [])
        isManifest = true
    }

    init(content: Content, digest: Digest, size: Int64, magic: [UInt8], diffID: DiffID = .content) {
        self.content = content
        self.digest = digest
        self.size = size
        self.magic = magic
        self.diffID = diffID
    }

    /// The digest of the content uncompressed, or nil when it was not computed (`.unchecked`).
    /// - Parameter member: the entry name, for the message.
    /// - Throws: `LayoutError.archiveMismatch` for a checksum failure, `.archive` for content that does not
    ///   decode.
    func uncompressedDigest(member: String) throws(LayoutError) -> Digest? {
        switch diffID {
        case .content: digest
        case .decoded(let digest): digest
        case .unchecked: nil
        case .undecodable(let error): throw .compressedStream("layer \(member)", error)
        }
    }

    /// The whole content (manifests only), refusing more than `limit` bytes.
    func bytes(limit: Int) throws(LayoutError) -> Data {
        guard size <= Int64(limit) else { throw .manifestTooLarge(size: size, limit: limit) }
        switch content {
        case .memory(let data): return data
        case .staged(let staged): return try FileSystem.readFile(staged.location, limit: limit)
        case .range:
            var data = Data(capacity: Int(size))
            do { try read(from: 0) { (chunk) in data.append(chunk.assumingMemoryBound(to: UInt8.self)) } } catch {
                throw error as? LayoutError ?? .archive("\(error)")
            }
            return data
        }
    }

    /// The OCI layer media type matching the content's compression.
    /// - Parameter name: the entry name, for the message.
    /// - Throws: `LayoutError.unsupported` for bzip2 and xz layers, which OCI has no media type for.
    func layerMediaType(name: String) throws(LayoutError) -> MediaType {
        switch Compression(magic: magic) {
        case .gzip: return .ociLayerGzip
        case .zstd: return .ociLayerZstd
        case .none: break
        }
        if magic.starts(with: Array("BZh".utf8)) || magic.starts(with: [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]) {
            throw .unsupported("layer \(name) is bzip2 or xz compressed: OCI has no media type for it")
        }
        return .ociLayer
    }

    /// Makes the content a blob of `layout`. A blob the layout already has is kept, its mtime refreshed so
    /// gc's grace period covers it until index.json lists it.
    /// - Returns: whether the layout did not have it before.
    func commit(to layout: OCILayout) throws(LayoutError) -> Bool {
        let added = layout.blobSize(digest) != size
        switch content {
        case .memory(let data): try layout.writeBlob(data, expected: digest)
        case .staged(let staged): try staged.commit()
        case .range(let file, let offset):
            let writer = try BlobWriter(layout: layout, algorithm: digest.algorithm)
            try writer.append(from: file, offset: offset, length: size)
            try writer.finish(expected: digest, expectedSize: size).commit()
        }
        return added
    }
}
