// SPDX-License-Identifier: Apache-2.0
public import Foundation
public import Layout

/// One repository's content in an S3 bucket, shared by every server and CLI that opens the same
/// `s3://BUCKET/PREFIX`. Keys under the prefix:
/// - `blobs/<alg>/<hex>`: a blob's bytes, written once per bucket (create-if-absent), with the digest as the
///   signed payload hash, so the server itself refuses content that is not the blob's;
/// - `repositories/<name>/blobs/<alg>/<hex>`: the repository's link to a blob, written after the blob (its body
///   the blob's size), so a blob is readable only through repositories that pushed or mounted it;
/// - `repositories/<name>/index.json`: the repository's index, replaced by compare-and-swap on its ETag.
///
/// Nothing is locked: conditional writes keep concurrent writers on any number of machines from losing each
/// other's changes. New blobs are staged in a local directory while they are hashed, then uploaded in one
/// signed `PUT`, or in parts when large (`S3PartUpload`).
public struct S3Storage: BlobStorage {
    let client: S3Client
    /// The repository's name (`team/app`).
    public let repository: String
    /// Where ingests stage their bytes before upload.
    let stagingDirectory: String
    /// Blobs larger than this are uploaded in parts (a single `PUT` takes at most 5 GiB).
    let multipartThreshold: Int64
    /// The size of each part but the last (S3's minimum is 5 MiB).
    let partSize: Int64

    /// - Parameters:
    ///   - repository: a valid repository name.
    ///   - stagingDirectory: an existing local directory for blobs being written.
    ///   - multipartThreshold: blobs larger than this are uploaded in parts of `partSize`.
    package init(
        client: S3Client, repository: String, stagingDirectory: String, multipartThreshold: Int64 = 64 << 20,
        partSize: Int64 = 16 << 20
    ) {
        self.client = client
        self.repository = repository
        self.stagingDirectory = stagingDirectory
        self.multipartThreshold = min(multipartThreshold, 5 << 30)
        self.partSize = max(partSize, 5 << 20)
    }

    /// The bucket-wide key of a blob's bytes.
    func blobKey(_ digest: Digest) -> String { client.location.key(digest.blobPath) }
    /// The key of this repository's link to a blob.
    func linkKey(_ digest: Digest) -> String { repositoryKey(digest.blobPath) }
    var indexKey: String { repositoryKey("index.json") }
    private func repositoryKey(_ name: String) -> String { client.location.key("repositories/\(repository)/\(name)") }

    // MARK: Blobs

    public func size(of digest: Digest) -> Int64? {
        guard let link = try? client.getData(linkKey(digest), limit: 64) else { return nil }
        return Int64(String(decoding: link.data, as: UTF8.self))
    }

    /// The repository's link's time: when this repository got the blob.
    public func modificationTime(of digest: Digest) -> Date? {
        (try? client.head(linkKey(digest)))?.flatMap(\.lastModified)
    }

    public func open(_ digest: Digest) throws(LayoutError) -> any BlobHandle {
        guard try client.head(linkKey(digest)) != nil, let info = try client.head(blobKey(digest)) else {
            throw .blobNotFound(digest)
        }
        return S3Blob(client: client, key: blobKey(digest), digest: digest, info: info)
    }

    public func makeIngest(algorithm: DigestAlgorithm) throws(LayoutError) -> any BlobIngest {
        try S3Ingest(storage: self, algorithm: algorithm)
    }

    /// Uploads the staged file under its digest unless the bucket has the blob already (a `PUT` with
    /// `If-None-Match: *`, its payload hash the content's SHA-256), then links it into the repository.
    /// A location that is a plain path (a file another writer staged and verified, such as an upload session's)
    /// is uploaded the same way, its payload hash the digest when that is SHA-256, else hashed first.
    public func commit(staged location: String, digest: Digest, size: Int64) throws(LayoutError) {
        var (path, payloadHash) = S3Ingest.parse(location)
        try store(digest, size: size) { (key) throws(LayoutError) in
            let file = try FileDescriptor(path: path, flags: O_RDONLY)
            if payloadHash.isEmpty { payloadHash = try S3Storage.payloadHash(of: file, digest: digest) }
            if size > multipartThreshold {
                try S3PartUpload(client: client, key: key, file: file, size: size, partSize: partSize)
                    .run(expecting: digest)
            } else {
                // A 412: another writer stored the same digest first, and content addressing makes it this blob.
                _ = try client.put(key, file: file, size: size, payloadHash: payloadHash, condition: .absent)
            }
        }
        unlink(path)
    }

    /// The commit step of every writer: makes a verified blob present in the bucket, `upload` writing its bytes
    /// to the key it is given unless the bucket has them already, then links it into this repository.
    /// - Parameters:
    ///   - digest: the blob's verified digest; `size` its verified size.
    ///   - upload: stores the bytes under the key given; they must be the blob's.
    /// - Throws: I/O errors; the repository does not hold the blob then.
    func store(_ digest: Digest, size: Int64, upload: (String) throws(LayoutError) -> Void) throws(LayoutError) {
        // A blob the bucket has is reused: refreshed first, so that the bucket's sweep (which spares young
        // blobs) does not take it while this repository's link is being written.
        var reused = false
        if try client.head(blobKey(digest))?.size == size { reused = try client.touch(blobKey(digest)) }
        if !reused { try upload(blobKey(digest)) }
        try link(digest, size: size)
    }

    /// Links a blob the bucket holds into this repository (its link's body the blob's size).
    func link(_ digest: Digest, size: Int64) throws(LayoutError) {
        _ = try client.put(linkKey(digest), data: Data(String(size).utf8))
    }

    /// SHA-256 (hex) of a staged file: its digest's hex when the digest is SHA-256, else one read of the file.
    private static func payloadHash(of file: FileDescriptor, digest: Digest) throws(LayoutError) -> String {
        if digest.algorithm == .sha256 { return digest.encoded }
        let hasher = DigestHasher(.sha256)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        var offset: Int64 = 0
        while case let count = try file.read(into: buffer, at: offset), count > 0 {
            hasher.update(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
            offset += Int64(count)
        }
        return hasher.finalize().encoded
    }

    /// A blob of another repository of the same bucket is linked, not copied: its bytes are the bucket's.
    public func adopt(_ digest: Digest, size: Int64, from source: any BlobStorage) throws(LayoutError) -> Bool {
        guard let source = source as? S3Storage, source.client.location == client.location,
            try client.head(blobKey(digest))?.size == size, try client.touch(blobKey(digest))
        else { return false }
        _ = try client.put(linkKey(digest), data: Data(String(size).utf8))
        return true
    }

    /// A presigned `GET` of the blob's bytes, once the repository's link shows it holds the blob.
    public func directURL(of digest: Digest, validFor seconds: Int) throws(LayoutError) -> String? {
        guard try client.head(linkKey(digest)) != nil else { return nil }
        return S3Presigner(location: client.location, credentials: client.credentials)
            .getURL(blobKey(digest), validFor: seconds)
    }

    public func discard(staged location: String) { unlink(S3Ingest.parse(location).path) }

    /// Removes the repository's link; the bytes stay for other repositories until the bucket's gc.
    public func delete(_ digest: Digest) throws(LayoutError) { try client.delete(linkKey(digest)) }

    public func list() -> [Digest] {
        let prefix = repositoryKey("blobs/")
        let objects = (try? client.list(prefix: prefix)) ?? []
        return objects.compactMap { (object) -> Digest? in
            let parts = object.key.dropFirst(prefix.count).split(separator: "/")
            guard parts.count == 2 else { return nil }
            return try? Digest("\(parts[0]):\(parts[1])")
        }
    }

    // MARK: index.json

    public func indexVersion() -> IndexVersion? {
        (try? client.head(indexKey))?.map { IndexVersion(opaque: $0.etag) }
    }

    public func readIndex(limit: Int) throws(LayoutError) -> (data: Data, version: IndexVersion)? {
        try client.getData(indexKey, limit: limit).map { ($0.data, IndexVersion(opaque: $0.etag)) }
    }

    public func replaceIndex(with data: Data, ifVersion expected: IndexVersion?) throws(LayoutError) -> IndexVersion? {
        let condition: S3Client.Condition
        if let expected {
            guard let etag = expected.opaque else { return nil }
            condition = .matching(etag)
        } else {
            condition = .absent
        }
        switch try client.put(indexKey, data: data, condition: condition, contentType: "application/json") {
        case .stored(let etag): return IndexVersion(opaque: etag)
        case .preconditionFailed: return nil
        }
    }
}
