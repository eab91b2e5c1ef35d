// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout

/// A blob on its way into an `S3Storage`: staged in a local file while it is hashed (with its digest's
/// algorithm and, when that is not SHA-256, with SHA-256 too: the upload's payload hash).
final class S3Ingest: BlobIngest {
    private let storage: S3Storage
    private let file: FileDescriptor
    private let hasher: DigestHasher
    private let payloadHasher: DigestHasher?
    private var magic: [UInt8] = []
    private var done = false
    private(set) var count: Int64 = 0

    init(storage: S3Storage, algorithm: DigestAlgorithm) throws(LayoutError) {
        self.storage = storage
        let path = "\(storage.stagingDirectory)/ingest-\(UUID().uuidString)"
        file = try FileDescriptor(path: path, flags: O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode: 0o600)
        hasher = DigestHasher(algorithm)
        payloadHasher = algorithm == .sha256 ? nil : DigestHasher(.sha256)
    }

    deinit { if !done { unlink(file.path) } }

    func write(_ bytes: UnsafeRawBufferPointer) throws(LayoutError) {
        if magic.count < 8 { magic += bytes.prefix(8 - magic.count) }
        hasher.update(bytes)
        payloadHasher?.update(bytes)
        try file.writeAll(bytes)
        count += Int64(bytes.count)
    }

    func finish(expected: Digest?, expectedSize: Int64?) throws(LayoutError) -> StagedBlob {
        precondition(!done, "S3Ingest finished twice")
        done = true
        let digest = hasher.finalize()
        do throws(LayoutError) {
            try StagedBlob.verify(digest: digest, size: count, expected: expected, expectedSize: expectedSize)
        } catch {
            unlink(file.path)
            throw error
        }
        let payloadHash = payloadHasher?.finalize().encoded ?? digest.encoded
        return StagedBlob(
            storage: storage, location: "\(file.path)#\(payloadHash)", digest: digest, size: count, magic: magic)
    }

    /// The staged file's path and its SHA-256 (hex) from a location this ingest made.
    static func parse(_ location: String) -> (path: String, payloadHash: String) {
        guard let mark = location.lastIndex(of: "#") else { return (location, "") }
        return (String(location[..<mark]), String(location[location.index(after: mark)...]))
    }
}
