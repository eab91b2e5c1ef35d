// SPDX-License-Identifier: Apache-2.0
import Foundation

/// What one streaming pass over an image archive found: the metadata files in memory, every other regular
/// file as an `ArchiveFile` (small ones in memory, large ones staged in the layout's temporary directory), and
/// the links between entries. Nothing here is visible in the layout until the importer commits it; staged
/// files left uncommitted are removed when the contents are released.
struct ArchiveContents {
    /// Top-level files read into memory instead of staged as blobs.
    static let metadataNames: Set<String> = ["manifest.json", "index.json", "oci-layout", "repositories"]

    /// Metadata files by name.
    var metadata: [String: Data] = [:]
    /// Regular files by normalised entry name.
    var files: [String: ArchiveFile] = [:]
    /// Symlinks and hardlinks: normalised entry name → normalised target name.
    var links: [String: String] = [:]

    /// Refuses a second entry for `name`: a later member must never silently replace a layer, a config or a
    /// manifest read before it.
    /// - Parameter entry: the name as the archive spells it, for the message.
    /// - Throws: `LayoutError.archive` when the archive already had an entry of that name.
    func checkFirst(_ name: String, entry: String) throws(LayoutError) {
        guard metadata[name] == nil, files[name] == nil, links[name] == nil else {
            throw .archive("the archive holds \(entry) twice: a second member of the same name is refused")
        }
    }

    /// The file at `name`, following links anywhere along the path; nil when there is none.
    /// - Throws: `LayoutError.archive` for link loops.
    func file(at name: String) throws(LayoutError) -> ArchiveFile? {
        var current = name
        for _ in 0..<40 {
            if let file = files[current] { return file }
            let components = current.split(separator: "/")
            guard !components.isEmpty else { return nil }
            var redirected = false
            for length in 1...components.count {
                let prefix = components[..<length].joined(separator: "/")
                guard let target = links[prefix] else { continue }
                let rest = components[length...]
                current = ([target] + rest.map(String.init)).filter { !$0.isEmpty }.joined(separator: "/")
                redirected = true
                break
            }
            if !redirected { return nil }
        }
        throw .archive("too many levels of links resolving \(name) (a link loop?)")
    }

    /// The content for a blob digest: the file `blobs/<alg>/<hex>` (through links), checked against the digest.
    /// - Throws: `LayoutError.digestMismatch` when a link leads to other content.
    func blob(_ digest: Digest) throws(LayoutError) -> ArchiveFile? {
        guard let file = try file(at: digest.blobPath) else { return nil }
        guard file.digest == digest else { throw .digestMismatch(expected: digest, actual: file.digest) }
        return file
    }
}

/// One regular file of an archive, hashed while it was read.
struct ArchiveFile {
    /// Where the bytes are.
    enum Content {
        case memory(Data)
        case staged(StagedBlob)
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
        }
        return added
    }
}
