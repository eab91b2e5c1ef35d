// SPDX-License-Identifier: Apache-2.0
import Foundation
package import Layout

/// What a bucket was found to honour, by `S3Client.probe`.
package struct S3Capabilities: Sendable, Hashable {
    /// `If-None-Match: *` refuses a write over an existing object (blobs written once, indexes created once).
    package var conditionalCreate: Bool
    /// `If-Match` refuses a write over another version (the index's compare-and-swap).
    package var conditionalReplace: Bool
    /// A body that does not hash to its signed `x-amz-content-sha256` is refused: the bucket itself checks a
    /// blob streamed under its SHA-256 digest.
    package var verifiesPayloadHash = false

    /// Whether several writers may share the bucket without losing each other's changes.
    package var supportsSharedWriters: Bool { conditionalCreate && conditionalReplace }

    /// Why several writers may not share the bucket, for a refusal to start; nil when they may.
    package var sharedWritersRefusal: String? {
        var missing: [String] = []
        if !conditionalCreate { missing.append("If-None-Match: * on PUT") }
        if !conditionalReplace { missing.append("If-Match on PUT") }
        guard !missing.isEmpty else { return nil }
        return "the bucket ignores \(missing.joined(separator: " and ")), so concurrent writers could overwrite "
            + "each other's tags; run a single replica (--single-replica) or use a server with conditional writes"
    }
}

extension S3Client {
    /// Whether a write failed because the server found the body does not hash to its signed payload hash (S3's
    /// `XAmzContentSHA256Mismatch`, or `BadDigest`).
    static func isPayloadHashRefusal(_ error: LayoutError) -> Bool {
        "\(error)".contains("XAmzContentSHA256Mismatch") || "\(error)".contains("BadDigest")
    }

    /// Checks that the bucket is reachable and writable and finds out which conditional writes it honours, with a
    /// probe object of its own under `PREFIX/_probe/`, removed afterwards.
    /// - Throws: `LayoutError.io` when the bucket cannot be reached, read or written (the server's code in the
    ///   message: `NoSuchBucket`, `AccessDenied`, `SignatureDoesNotMatch`), or the probe reads back other bytes.
    package func probe() throws(LayoutError) -> S3Capabilities {
        let key = location.key("_probe/\(UUID().uuidString.lowercased())")
        let content = Data("ocitool probe \(key)\n".utf8)
        defer { try? delete(key) }
        guard case .stored(let etag) = try put(key, data: content, condition: .absent) else {
            throw .io("create the probe object", path: objectName(key), errno: EIO)
        }
        guard let read = try getData(key, limit: content.count + 1), read.data == content else {
            throw .io("read back the probe object", path: objectName(key), errno: EIO)
        }
        let createRefused = try put(key, data: Data("overwrite\n".utf8), condition: .absent) == .preconditionFailed
        let current = try head(key)?.etag ?? etag
        let stale = String(repeating: current.hasPrefix("0") ? "1" : "0", count: 32)
        let replaceRefused = try put(key, data: Data("stale\n".utf8), condition: .matching(stale)) == .preconditionFailed
        let forged = Data("forged\n".utf8)
        let hashRefused: Bool
        do {
            _ = try write(
                key, body: .bytes(forged), payloadHash: Digest.sha256(of: content).encoded, condition: .none,
                contentType: nil)
            hashRefused = false
        } catch {
            hashRefused = S3Client.isPayloadHashRefusal(error)
        }
        return S3Capabilities(
            conditionalCreate: createRefused, conditionalReplace: replaceRefused, verifiesPayloadHash: hashRefused)
    }
}
