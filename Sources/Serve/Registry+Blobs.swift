// SPDX-License-Identifier: Apache-2.0
import HTTPTypes
import Hummingbird
import Layout

extension Registry {
    /// Chunk size of streamed blob reads.
    static let readChunkSize = 1 << 20

    /// `GET`/`HEAD /v2/<name>/blobs/<digest>`: the blob streamed from its file (a `Range` gives 206 or 416).
    ///
    /// Spec: https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md#pulling-blobs
    func getBlob(_ name: String, digest: Digest, request: Request, context: some RequestContext) async throws
        -> Response
    {
        let layout = try store.layout(for: name)
        guard let size = layout.blobSize(digest) else { throw LayoutError.blobNotFound(digest) }
        var headers: HTTPFields = [
            .contentType: "application/octet-stream",
            .dockerContentDigest: digest.description,
            .acceptRanges: "bytes",
            .eTag: "\"\(digest)\"",
        ]
        var status = HTTPResponse.Status.ok
        var range: ClosedRange<Int64>? = size > 0 ? 0...(size - 1) : nil
        if let header = request.headers[.range] {
            switch ByteRange(header: header, size: size) {
            case .whole:
                break
            case .unsatisfiable:
                throw OCIError(
                    .rangeInvalid, "range '\(header)' selects nothing of a \(size)-byte blob",
                    headers: [.contentRange: "bytes */\(size)"])
            case .partial(let selected):
                range = selected
                status = .partialContent
                headers[.contentRange] = "bytes \(selected.lowerBound)-\(selected.upperBound)/\(size)"
            }
        }
        let length = range.map { $0.upperBound - $0.lowerBound + 1 } ?? 0
        headers[.contentLength] = String(length)
        guard request.method != .head, let range else {
            return Response(status: status, headers: headers, body: ResponseBody())
        }
        let body: ResponseBody
        do {
            body = try await FileIO().loadFile(
                path: layout.blobPath(digest), range: Int(range.lowerBound)...Int(range.upperBound), context: context,
                chunkLength: Registry.readChunkSize)
        } catch {
            // Removed between the size check and the open.
            throw LayoutError.blobNotFound(digest)
        }
        return Response(status: status, headers: headers, body: body)
    }

    /// `DELETE /v2/<name>/blobs/<digest>`: the blob leaves this repository only.
    ///
    /// Spec: https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md#deleting-blobs
    func deleteBlob(_ name: String, digest: Digest) throws -> Response {
        try requireDeletes()
        try store.deleteBlob(digest, repository: name)
        return .empty(.accepted)
    }

    /// The 201 of a blob that is now in a repository (upload finished or mounted).
    static func blobCreated(_ name: String, digest: Digest) -> Response {
        .empty(.created, headers: [.location: "/v2/\(name)/blobs/\(digest)", .dockerContentDigest: digest.description])
    }
}
