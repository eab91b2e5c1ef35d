// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout

/// What the bucket keeps of an upload session, `uploads/<id>/state.json`: enough for any server to go on with
/// it. Replaced by compare-and-swap at the end of every request that changed the session, so two servers never
/// both advance it. The bytes it counts are, in order, the multipart upload's `parts`, then the `chunks` (each an
/// object: what requests received after the last whole part).
struct S3UploadRecord: Codable, Sendable {
    var id: String
    var repository: String
    var algorithm: DigestAlgorithm
    var created: Date
    /// When a request last used the session (the writing server's clock).
    var lastActivity: Date
    /// Bytes received.
    var offset: Int64
    /// The hasher's state after those bytes (`DigestHasher.state`).
    var hashState: Data
    /// The multipart upload of `uploads/<id>/data` that holds the parts, once there is one.
    var multipartID: String?
    /// The uploaded parts, in order.
    var parts: [S3Client.UploadedPart]
    /// The saved bytes after the parts, in order (together less than a part).
    var chunks: [Chunk]
    /// Set by the server completing the session, before it assembles the parts: no other server takes the
    /// session on after that (nil: false).
    var completing: Bool?

    /// Bytes a request saved as an object of their own, to become part of the next part.
    struct Chunk: Codable, Sendable, Hashable {
        var key: String
        var size: Int64
        /// The bytes' SHA-256 (hex), checked when they are read back.
        var sha256: String
    }

    /// A new session's record: nothing received.
    init(id: String, repository: String, algorithm: DigestAlgorithm, now: Date = Date()) {
        self.id = id
        self.repository = repository
        self.algorithm = algorithm
        self.created = now
        self.lastActivity = now
        self.offset = 0
        self.hashState = Data(DigestHasher(algorithm).state)
        self.multipartID = nil
        self.parts = []
        self.chunks = []
    }

    /// The record as stored.
    func encoded() throws(LayoutError) -> Data {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        encoder.outputFormatting = .sortedKeys
        do { return try encoder.encode(self) } catch {
            throw .invalidArgument("cannot encode upload state of \(id): \(error)")
        }
    }

    /// A stored record; nil when the bytes are not one.
    static func decode(_ data: Data) -> S3UploadRecord? {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return try? decoder.decode(S3UploadRecord.self, from: data)
    }
}
