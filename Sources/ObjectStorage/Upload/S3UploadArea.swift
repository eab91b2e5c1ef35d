// SPDX-License-Identifier: Apache-2.0
public import Foundation
public import Layout

/// Upload sessions in the bucket, under `uploads/<id>/` beside the store's repositories (`S3UploadSession`):
/// `state.json` (the session's record), `chunk-<offset>-<nonce>` (bytes short of a part), and `data`, the
/// multipart upload the parts go to. Every server of the store sees the same sessions.
public struct S3UploadArea: UploadArea {
    let client: S3Client
    /// Where the store's ingests stage blobs (for the repositories' storage).
    let stagingDirectory: String
    /// The size of each part but the last (S3's minimum is 5 MiB): also what a request buffers in memory.
    let partSize: Int
    /// Parts in flight at once per session.
    let jobs: Int
    /// Whether a blob whose SHA-256 digest and length the client named up front streams straight to its key
    /// (`S3DirectPut`): only over a bucket that checks payload hashes.
    let streamsNamedBlobs: Bool

    /// The largest record read back (10,000 parts fit with room to spare).
    static let recordLimit = 4 << 20
    /// The most parts one multipart upload may have (S3's limit): a session holds at most this many parts.
    static let maximumParts = 10_000

    init(
        client: S3Client, stagingDirectory: String, streamsNamedBlobs: Bool = false, partSize: Int = 8 << 20,
        jobs: Int = 3
    ) {
        self.client = client
        self.stagingDirectory = stagingDirectory
        self.streamsNamedBlobs = streamsNamedBlobs
        self.partSize = max(partSize, 5 << 20)
        self.jobs = jobs
    }

    public var location: String { "\(client.location)uploads" }

    func prefix(_ id: String) -> String { client.location.key("uploads/\(id)/") }
    func stateKey(_ id: String) -> String { prefix(id) + "state.json" }
    func dataKey(_ id: String) -> String { prefix(id) + "data" }
    func chunkKey(_ id: String, offset: Int64) -> String {
        prefix(id) + "chunk-\(offset)-" + UUID().uuidString.prefix(8).lowercased()
    }

    /// The storage blobs of `repository` are committed to.
    func storage(for repository: String) -> S3Storage {
        S3Storage(client: client, repository: repository, stagingDirectory: stagingDirectory)
    }

    /// The stored record of session `id` and its ETag; nil when there is none or it is not a record.
    func loadRecord(_ id: String) throws(LayoutError) -> (S3UploadRecord, String)? {
        guard let (data, etag) = try client.getData(stateKey(id), limit: S3UploadArea.recordLimit),
            let record = S3UploadRecord.decode(data), record.id == id
        else { return nil }
        return (record, etag)
    }

    // MARK: UploadArea

    /// Nothing is stored until the session's first request ends (a blob pushed in one request never is).
    public func create(id: String, repository: String, algorithm: DigestAlgorithm) throws(LayoutError)
        -> any UploadSession
    {
        try S3UploadSession(
            area: self, record: S3UploadRecord(id: id, repository: repository, algorithm: algorithm), etag: nil)
    }

    public func resume(id: String) throws(LayoutError) -> (any UploadSession)? {
        // A session being completed is no longer anyone's to go on with.
        guard let (record, etag) = try loadRecord(id), record.completing != true else { return nil }
        return try? S3UploadSession(area: self, record: record, etag: etag)
    }

    /// Sessions by their objects: the record's time, else (a session whose first save broke off) the newest
    /// object's.
    public func sessions() throws(LayoutError) -> [(id: String, lastActivity: Date?)] {
        let uploads = client.location.key("uploads/")
        var newest: [String: Date] = [:]
        var recorded: [String: Date] = [:]
        for object in try client.list(prefix: uploads) {
            let name = object.key.dropFirst(uploads.count)
            guard let slash = name.firstIndex(of: "/") else { continue }
            let id = String(name[..<slash])
            let modified = S3Client.listingDate(object.lastModified) ?? .distantPast
            if name[name.index(after: slash)...] == "state.json" { recorded[id] = modified }
            newest[id] = max(newest[id] ?? .distantPast, modified)
        }
        return newest.keys.sorted().map { (id) in (id, recorded[id] ?? newest[id]) }
    }

    public func lastActivity(of id: String) -> Date? { (try? client.head(stateKey(id)))?.flatMap(\.lastModified) }

    /// Aborts the session's multipart upload and deletes its objects.
    public func remove(id: String) {
        if let (record, _) = try? loadRecord(id), let multipartID = record.multipartID {
            try? client.abortMultipartUpload(dataKey(id), uploadID: multipartID)
        }
        for object in (try? client.list(prefix: prefix(id))) ?? [] { try? client.delete(object.key) }
    }

    /// Multipart uploads under `uploads/` that no record names (a server killed before it saved the session
    /// that started one), started more than `age` seconds ago, are aborted.
    public func sweepLeftovers(olderThan age: Double, now: Date) -> Int {
        let uploads = client.location.key("uploads/")
        guard let pending = try? client.listMultipartUploads(prefix: uploads) else { return 0 }
        var aborted = 0
        for upload in pending {
            guard let started = S3Client.listingDate(upload.initiated), now.timeIntervalSince(started) >= age else {
                continue
            }
            let id = String(upload.key.dropFirst(uploads.count).prefix { $0 != "/" })
            let recorded: (record: S3UploadRecord, etag: String)? = try? loadRecord(id)
            if recorded?.record.multipartID == upload.uploadID { continue }
            if (try? client.abortMultipartUpload(upload.key, uploadID: upload.uploadID)) != nil { aborted += 1 }
        }
        return aborted
    }
}
