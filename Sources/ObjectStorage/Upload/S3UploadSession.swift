// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout

/// An upload session kept in the bucket (`S3UploadArea`), so that any server of the store can go on with it.
///
/// Bytes are hashed as they arrive and gathered into parts (`S3UploadArea.partSize`), which go to a multipart
/// upload of `uploads/<id>/data` while the request goes on (`S3PartQueue`). At the end of a request the bytes
/// short of a part are saved as a chunk object, and the record (`S3UploadRecord`: parts, chunks, the hasher's
/// state) replaces the stored one by compare-and-swap: what a `202` acknowledged is in the bucket, and a server
/// that lost the race learns it (`ownsStoredData` false) instead of overwriting the winner. The next part starts
/// with the saved chunks, read back and checked against their SHA-256. Between requests the session holds no
/// buffer.
///
/// Completing verifies the digest from the hash (the bytes were hashed as received, by this server or by the
/// ones whose state it took over; a part's bytes are signed by their own SHA-256): a blob smaller than a part
/// goes up in one `PUT`; a larger one is assembled in `uploads/<id>/data` and copied by the bucket to its blob
/// key. Either way it becomes visible under its digest only once verified, by the commit step of every writer
/// (`S3Storage.store`).
///
/// A request that carries a whole blob whose SHA-256 digest and length the client named up front (`expectWhole`)
/// skips all that: it streams in one `PUT` to the blob's key (`S3DirectPut`), checked by the bucket itself.
final class S3UploadSession: UploadSession, @unchecked Sendable {
    let id: String
    let repository: String
    let algorithm: DigestAlgorithm
    private let area: S3UploadArea
    /// The record as last stored (or, before the first save, as started).
    private var record: S3UploadRecord
    /// The stored record's ETag; nil until it is first saved.
    private var recordETag: String?
    private var hasher: DigestHasher
    private(set) var offset: Int64
    /// Saved chunks not yet in a part (the front of the next part).
    private var chunks: [S3UploadRecord.Chunk]
    /// Chunk objects gone into parts, deleted once the record no longer names them.
    private var consumed: [String] = []
    /// This request's bytes after `chunks`.
    private var buffer: S3PartBuffer?
    private var parts: S3PartQueue?
    /// Parts handed to the queue since the last save.
    private var queued = 0
    /// The whole blob on its way straight to its key, with the digest and length named for it (`expectWhole`).
    private var direct: (put: S3DirectPut, digest: Digest, length: Int64)?
    private var wroteToBucket = false
    private var finished = false
    private var superseded = false
    private(set) var failure: LayoutError?

    /// A session from its `record`, stored with `etag` (nil: a new one, not stored yet).
    /// - Throws: `LayoutError.invalidArgument` when the record's hash state does not cover its bytes.
    init(area: S3UploadArea, record: S3UploadRecord, etag: String?) throws(LayoutError) {
        self.area = area
        self.id = record.id
        self.repository = record.repository
        self.algorithm = record.algorithm
        self.record = record
        self.recordETag = etag
        self.hasher = try S3UploadSession.hasher(for: record)
        self.offset = record.offset
        self.chunks = record.chunks
        self.wroteToBucket = etag != nil
    }

    var lastActivity: Date { record.lastActivity }

    var ownsStoredData: Bool { wroteToBucket && !superseded }

    func touch(_ now: Date) { record.lastActivity = now }

    // MARK: Receiving

    func append<Piece: UploadPiece>(_ piece: Piece) throws(LayoutError) {
        try piece.withBytes { (bytes) in Result { () throws(LayoutError) in try append(bytes) } }.get()
    }

    /// Streams the request straight to the blob's key when nothing was received yet, the digest is SHA-256 (the
    /// signed payload hash), the length is known and within one `PUT`, the bucket checks payload hashes, and it
    /// does not hold the blob already (whose bytes then go the usual way, to be hashed here).
    func expectWhole(_ digest: Digest, length: Int64?) {
        guard area.streamsNamedBlobs, digest.algorithm == .sha256, let length, length > 0,
            length <= S3Client.copyLimit, offset == 0, record.parts.isEmpty, chunks.isEmpty, buffer == nil,
            direct == nil, failure == nil
        else { return }
        let key = area.storage(for: repository).blobKey(digest)
        guard case .some(.none) = try? area.client.head(key) else { return }
        direct = (S3DirectPut(client: area.client, key: key, digest: digest, length: length), digest, length)
    }

    func append(_ bytes: UnsafeRawBufferPointer) throws(LayoutError) {
        precondition(!finished, "S3UploadSession used after complete")
        if let failure { throw failure }
        if let direct {
            offset += Int64(bytes.count)
            do throws(LayoutError) {
                guard offset <= direct.length else {
                    throw .sizeMismatch(direct.digest, expected: direct.length, actual: offset)
                }
                try direct.put.write(bytes)
            } catch {
                failure = error
                throw error
            }
            return
        }
        hasher.update(bytes)
        offset += Int64(bytes.count)
        var rest = bytes
        while !rest.isEmpty {
            let part = buffer ?? S3PartBuffer(capacity: area.partSize, front: chunkBytes)
            buffer = part
            rest = UnsafeRawBufferPointer(rebasing: rest[part.append(rest)...])
            if part.isFull { try queueBuffer() }
        }
    }

    /// Saves what this request received: queued parts uploaded, the rest as a chunk object, then the record.
    /// - Throws: I/O errors; `.changedMeanwhile` when another server changed the session meanwhile.
    func saveState() throws(LayoutError) {
        if let failure { throw failure }
        do throws(LayoutError) {
            try save()
        } catch {
            failure = error
            throw error
        }
    }

    /// What another server stored since this one loaded the session is taken over (a `HEAD` when nothing
    /// changed).
    func refresh() throws(LayoutError) -> Bool {
        guard let recordETag else { return true }
        guard let stored = try area.client.head(area.stateKey(id)) else { return false }
        guard stored.etag != recordETag else { return true }
        guard let (record, etag) = try area.loadRecord(id), record.repository == repository,
            record.completing != true
        else { return false }
        self.hasher = try S3UploadSession.hasher(for: record)
        self.record = record
        self.recordETag = etag
        self.offset = record.offset
        self.chunks = record.chunks
        return true
    }

    func idle() -> Bool {
        if let direct {
            // The request that was to carry the whole blob broke off: its bytes were never kept.
            self.direct = nil
            direct.put.abandon()
            failure = failure ?? .sizeMismatch(direct.digest, expected: direct.length, actual: offset)
        }
        if !finished, failure == nil, recordETag == nil || offset != record.offset {
            try? saveState()
        }
        buffer = nil
        parts = nil
        return failure == nil
    }

    // MARK: Completing

    func complete(expected: Digest, into store: Store) throws(LayoutError) -> Int64 {
        precondition(!finished, "S3UploadSession completed twice")
        finished = true
        if let failure { throw failure }
        defer { buffer = nil }
        let size = offset
        _ = try store.layout(for: repository, create: true)
        let storage = area.storage(for: repository)
        if let direct {
            self.direct = nil
            guard expected == direct.digest else {
                direct.put.abandon()
                throw .invalidArgument("blob upload \(id) was started for \(direct.digest), not \(expected)")
            }
            guard size == direct.length else {
                direct.put.abandon()
                throw .sizeMismatch(expected, expected: direct.length, actual: size)
            }
            try direct.put.finish()
            try storage.link(expected, size: size)
            return size
        }
        if record.parts.isEmpty, queued == 0 {
            // Smaller than a part: the whole blob is in memory once the saved chunks are read back.
            let whole = buffer ?? S3PartBuffer(capacity: chunkBytes, front: chunkBytes)
            try whole.fetch(chunks, from: area.client)
            let digest = try verifiedDigest(expected, size: size) { (hasher) throws(LayoutError) in
                hasher.update(whole.bytes)
            }
            let payloadHash = digest.algorithm == .sha256 ? digest.encoded : Digest.sha256(of: whole.bytes).encoded
            try storage.store(digest, size: size) { (key) throws(LayoutError) in
                _ = try area.client.put(key, bytes: whole.bytes, payloadHash: payloadHash, condition: .absent)
            }
            return size
        }
        if buffer != nil || !chunks.isEmpty {
            buffer = buffer ?? S3PartBuffer(capacity: chunkBytes, front: chunkBytes)
            try queueBuffer()
        }
        let queue = try partQueue()
        let uploaded = record.parts + (try queue.drain())
        guard let uploadID = queue.uploadID else {
            throw .invalidArgument("upload \(id) has parts but no multipart upload")
        }
        if recordETag != nil {
            // Other servers know the session: claimed first, so that none assembles `data` again meanwhile.
            record.completing = true
            try save()
        }
        let (client, dataKey) = (area.client, area.dataKey(id))
        try client.completeMultipartUpload(dataKey, uploadID: uploadID, parts: uploaded)
        guard let assembled = try client.head(dataKey), assembled.size == size else {
            throw .io(
                "assemble the parts of", path: client.objectName(dataKey) + " (not the \(size) bytes received)",
                errno: EIO)
        }
        let digest = try verifiedDigest(expected, size: size) { (hasher) throws(LayoutError) in
            _ = try client.get(dataKey, ifMatch: assembled.etag) { (bytes) in
                hasher.update(bytes)
                return true
            }
        }
        try storage.store(digest, size: size) { (key) throws(LayoutError) in
            if size <= S3Client.copyLimit {
                try client.copy(dataKey, to: key)
            } else {
                try copyThrough(dataKey, version: assembled.etag, to: key)
            }
        }
        return size
    }

    /// Copies an object too large for one CopyObject through this machine: read once, and uploaded again in
    /// parts, each signed by its SHA-256.
    private func copyThrough(_ source: String, version: String, to key: String) throws(LayoutError) {
        let partSize = area.partSize
        let queue = S3PartQueue(client: area.client, key: key, uploadID: nil, jobs: area.jobs)
        var part = S3PartBuffer(capacity: partSize, front: 0)
        var number = 0
        var failure: LayoutError?
        let found = try area.client.get(source, ifMatch: version) { (bytes) in
            var rest = bytes
            while !rest.isEmpty {
                rest = UnsafeRawBufferPointer(rebasing: rest[part.append(rest)...])
                guard part.isFull else { continue }
                number += 1
                do throws(LayoutError) { try queue.submit(part, number: number, chunks: []) } catch {
                    failure = error
                    return false
                }
                part = S3PartBuffer(capacity: partSize, front: 0)
            }
            return true
        }
        if let failure { throw failure }
        guard found != nil else {
            throw .io("read back", path: area.client.objectName(source) + " (changed)", errno: EIO)
        }
        if part.count > 0 {
            number += 1
            try queue.submit(part, number: number, chunks: [])
        }
        let parts = try queue.drain()
        guard let uploadID = queue.uploadID else { return }
        do throws(LayoutError) {
            try area.client.completeMultipartUpload(key, uploadID: uploadID, parts: parts)
        } catch {
            try? area.client.abortMultipartUpload(key, uploadID: uploadID)
            throw error
        }
    }

    // MARK: Helpers

    /// Bytes of the saved chunks not yet in a part.
    private var chunkBytes: Int { Int(chunks.reduce(0) { $0 + $1.size }) }

    /// Hands the buffer, with the chunks that start it, to the part queue.
    private func queueBuffer() throws(LayoutError) {
        guard let part = buffer else { return }
        buffer = nil
        let queue = try partQueue()
        let number = record.parts.count + queued + 1
        guard number <= S3UploadArea.maximumParts else {
            throw .tooLarge(
                "blob upload \(id)", size: offset, limit: S3UploadArea.maximumParts * area.partSize)
        }
        wroteToBucket = true
        do throws(LayoutError) {
            try queue.submit(part, number: number, chunks: chunks)
        } catch {
            failure = error
            throw error
        }
        queued += 1
        consumed += chunks.map(\.key)
        chunks = []
    }

    private func partQueue() throws(LayoutError) -> S3PartQueue {
        if let parts { return parts }
        let queue = S3PartQueue(
            client: area.client, key: area.dataKey(id), uploadID: record.multipartID, jobs: area.jobs)
        parts = queue
        return queue
    }

    private func save() throws(LayoutError) {
        var next = record
        if let parts {
            next.parts += try parts.drain()
            next.multipartID = parts.uploadID ?? next.multipartID
        }
        // Set before the first write: one that fails after the bucket kept its object still leaves data to remove.
        wroteToBucket = true
        var saved = chunks
        if let part = buffer, part.received.count > 0 {
            let chunk = S3UploadRecord.Chunk(
                key: area.chunkKey(id, offset: offset - Int64(part.received.count)), size: Int64(part.received.count),
                sha256: Digest.sha256(of: part.received).encoded)
            _ = try area.client.put(chunk.key, bytes: part.received, payloadHash: chunk.sha256, condition: .none)
            saved.append(chunk)
        }
        next.chunks = saved
        next.offset = offset
        next.hashState = Data(hasher.state)
        next.lastActivity = Date()
        let condition: S3Client.Condition = recordETag.map { .matching($0) } ?? .absent
        switch try area.client.put(area.stateKey(id), data: try next.encoded(), condition: condition) {
        case .preconditionFailed:
            superseded = true
            throw .changedMeanwhile(
                "blob upload \(id) was changed by another request meanwhile: ask where it stands (GET) and go on "
                    + "from there")
        case .stored(let etag):
            record = next
            recordETag = etag
            chunks = saved
            buffer = nil
            queued = 0
        }
        for key in consumed { try? area.client.delete(key) }
        consumed = []
    }

    private static func hasher(for record: S3UploadRecord) throws(LayoutError) -> DigestHasher {
        let hasher = try DigestHasher(resuming: [UInt8](record.hashState), count: record.offset)
        guard hasher.algorithm == record.algorithm else {
            throw .invalidArgument(
                "upload \(record.id) records a \(hasher.algorithm) state for a \(record.algorithm) upload")
        }
        return hasher
    }

    /// The digest of what was received, checked against `expected`: the session's hash, or, for a digest of
    /// another algorithm than the session hashed with, what `rehash` feeds a hasher of that algorithm (the
    /// content read once more).
    /// - Throws: `LayoutError.digestMismatch`; `rehash`'s errors.
    private func verifiedDigest(
        _ expected: Digest, size: Int64, rehash: (DigestHasher) throws(LayoutError) -> Void
    ) throws(LayoutError) -> Digest {
        var digest = hasher.finalize()
        if expected.algorithm != algorithm {
            let other = expected.makeHasher()
            try rehash(other)
            digest = other.finalize()
        }
        try StagedBlob.verify(digest: digest, size: size, expected: expected, expectedSize: nil)
        return digest
    }
}
