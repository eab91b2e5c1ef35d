// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout

/// A staged file uploaded to one key in parts. The file is read once to hash it: each part's SHA-256 (its signed
/// payload hash, so the server refuses a part that changes on the way) and the whole digest, checked against the
/// one the blob was staged under, so bytes changed on disk since staging never become the blob. Then the parts
/// are uploaded, several at once, and assembled; on any failure the upload is aborted and nothing is visible.
struct S3PartUpload {
    let client: S3Client
    let key: String
    let file: FileDescriptor
    let size: Int64
    let partSize: Int64
    /// Parts in flight at once.
    var jobs = 4

    /// - Throws: `LayoutError.digestMismatch` when the file no longer hashes to `digest`; I/O errors.
    func run(expecting digest: Digest) throws(LayoutError) {
        let hashes = try partHashes(expecting: digest)
        let id = try client.createMultipartUpload(key)
        do throws(LayoutError) {
            let uploaded = Locked<[S3Client.UploadedPart]>([])
            do {
                try WorkerPool.run(Array(hashes.enumerated()), jobs: jobs) { (index, hash) in
                    let offset = Int64(index) * partSize
                    let part = try client.uploadPart(
                        key, uploadID: id, number: index + 1, file: file, offset: offset,
                        length: min(partSize, size - offset), payloadHash: hash)
                    uploaded.withLock { $0.append(part) }
                }
            } catch {
                throw error as? LayoutError ?? .io("upload the parts of", path: client.objectName(key), errno: EIO)
            }
            try client.completeMultipartUpload(key, uploadID: id, parts: uploaded.current)
        } catch {
            try? client.abortMultipartUpload(key, uploadID: id)
            throw error
        }
    }

    /// Each part's SHA-256 (hex), from one read of the file that also checks its digest.
    private func partHashes(expecting digest: Digest) throws(LayoutError) -> [String] {
        let whole = DigestHasher(digest.algorithm)
        var hashes: [String] = []
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        var offset: Int64 = 0
        while offset < size {
            let part = DigestHasher(.sha256)
            let end = min(offset + partSize, size)
            while offset < end {
                let wanted = Int(min(Int64(buffer.count), end - offset))
                let count = try file.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[..<wanted]), at: offset)
                guard count > 0 else { throw .sizeMismatch(digest, expected: size, actual: offset) }
                let read = UnsafeRawBufferPointer(rebasing: buffer[..<count])
                part.update(read)
                whole.update(read)
                offset += Int64(count)
            }
            hashes.append(part.finalize().encoded)
        }
        let actual = whole.finalize()
        guard actual == digest else { throw .digestMismatch(expected: digest, actual: actual) }
        return hashes
    }
}
