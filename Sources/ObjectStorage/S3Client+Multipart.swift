// SPDX-License-Identifier: Apache-2.0
import CurlTransport
import Foundation
package import Layout

/// S3 multipart uploads: an object assembled from parts of at least 5 MiB (but the last), each a signed `PUT`
/// whose payload hash is the part's SHA-256. Radosgw 16 answers CompleteMultipartUpload without an ETag and
/// ignores `If-None-Match` on it, so create-if-absent is the caller's `HEAD` (harmless for content-addressed
/// keys: two writers of one digest write the same bytes).
extension S3Client {
    /// One uploaded part: its number (from 1) and the ETag the server gave it.
    package struct UploadedPart: Sendable, Hashable, Codable {
        package let number: Int
        package let etag: String
    }

    /// Starts a multipart upload of `key`.
    /// - Returns: its upload ID.
    package func createMultipartUpload(_ key: String) throws(LayoutError) -> String {
        let response = try send(
            "POST", key: key, query: S3Location.query([("uploads", "")]), body: .bytes(Data()))
        try expect(response, [200], "start a multipart upload of", key)
        guard let id = S3XML.value("UploadId", in: String(decoding: response.body, as: UTF8.self)[...]) else {
            throw .io("read the upload ID of", path: objectName(key), errno: EIO)
        }
        return id
    }

    /// Uploads part `number` from a region of a file whose SHA-256 is `payloadHash` (hex).
    package func uploadPart(
        _ key: String, uploadID: String, number: Int, file: FileDescriptor, offset: Int64, length: Int64,
        payloadHash: String
    ) throws(LayoutError) -> UploadedPart {
        let source = FileRegion(file: file, offset: offset, length: length)
        do throws(LayoutError) {
            return try uploadPart(key, uploadID: uploadID, number: number, body: source.body, payloadHash: payloadHash)
        } catch {
            throw source.failure ?? error
        }
    }

    /// Uploads part `number` from memory (valid during the call) whose SHA-256 is `payloadHash` (hex).
    package func uploadPart(
        _ key: String, uploadID: String, number: Int, bytes: UnsafeRawBufferPointer, payloadHash: String
    ) throws(LayoutError) -> UploadedPart {
        try uploadPart(key, uploadID: uploadID, number: number, body: .memory(bytes), payloadHash: payloadHash)
    }

    private func uploadPart(_ key: String, uploadID: String, number: Int, body: Body, payloadHash: String)
        throws(LayoutError) -> UploadedPart
    {
        let query = S3Location.query([("partNumber", String(number)), ("uploadId", uploadID)])
        let response = try send("PUT", key: key, query: query, body: body, payloadHash: payloadHash)
        try expect(response, [200], "upload part \(number) of", key)
        guard let etag = response.headers["ETag"] else {
            throw .io("read the ETag of part \(number) of", path: objectName(key), errno: EIO)
        }
        return UploadedPart(number: number, etag: Self.unquoted(etag))
    }

    /// Assembles the parts into the object, which becomes visible whole.
    package func completeMultipartUpload(_ key: String, uploadID: String, parts: [UploadedPart]) throws(LayoutError) {
        var document = "<CompleteMultipartUpload>"
        for part in parts.sorted(by: { $0.number < $1.number }) {
            document += "<Part><PartNumber>\(part.number)</PartNumber><ETag>\"\(part.etag)\"</ETag></Part>"
        }
        document += "</CompleteMultipartUpload>"
        let data = Data(document.utf8)
        let response = try send(
            "POST", key: key, query: S3Location.query([("uploadId", uploadID)]), body: .bytes(data),
            payloadHash: Digest.sha256(of: data).encoded)
        try expect(response, [200], "complete the multipart upload of", key)
        // S3 may report a failure in a 200 response's body.
        let text = String(decoding: response.body, as: UTF8.self)[...]
        if let code = S3XML.value("Code", in: text), S3XML.elements("Error", in: text).isEmpty == false {
            throw .io("complete the multipart upload of", path: "\(objectName(key)) (\(code))", errno: EIO)
        }
    }

    /// Abandons a multipart upload and frees its parts; succeeds when it is already gone.
    package func abortMultipartUpload(_ key: String, uploadID: String) throws(LayoutError) {
        let response = try send("DELETE", key: key, query: S3Location.query([("uploadId", uploadID)]))
        try expect(response, [200, 204, 404], "abort the multipart upload of", key)
    }

    /// A multipart upload in progress: its key, ID and when it started (ISO 8601, as the server wrote it).
    package struct MultipartUpload: Sendable, Hashable {
        package let key: String
        package let uploadID: String
        package let initiated: String
    }

    /// The multipart uploads in progress under `prefix` (the first 1,000).
    package func listMultipartUploads(prefix: String) throws(LayoutError) -> [MultipartUpload] {
        let response = try send(
            "GET", key: "", query: S3Location.query([("prefix", prefix), ("uploads", "")]),
            sink: .collect(limit: 16 << 20))
        try expect(response, [200], "list the multipart uploads under", prefix)
        let text = String(decoding: response.body, as: UTF8.self)[...]
        return S3XML.elements("Upload", in: text).compactMap { (upload) -> MultipartUpload? in
            guard let key = S3XML.value("Key", in: upload), let id = S3XML.value("UploadId", in: upload) else {
                return nil
            }
            return MultipartUpload(key: key, uploadID: id, initiated: S3XML.value("Initiated", in: upload) ?? "")
        }
    }
}
