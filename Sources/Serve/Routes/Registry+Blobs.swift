// SPDX-License-Identifier: Apache-2.0
import HTTPTypes
import Hummingbird
import Layout

extension Registry {
    /// `GET`/`HEAD /v2/<name>/blobs/<digest>`: the blob as Layout opens it (a `Range` gives 206 or 416), streamed
    /// in 1 MiB reads, or with `sendfile(2)` when configured and the storage gives a file (see `BlobBody`).
    ///
    /// With `storage.redirect`, a GET of a bucket store's blob is answered 307 to a presigned URL of it.
    ///
    /// Spec: https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md#pulling-blobs
    func getBlob(_ name: String, digest: Digest, request: Request, context: some RequestContext) async throws
        -> Response
    {
        let layout = try store.layout(for: name)
        if request.method == .get, configuration.storage?.redirect == true,
            let url = try layout.storage.directURL(of: digest, validFor: Registry.redirectLifetime)
        {
            // Straight from the bucket (a presigned URL), `Range` included: the client sends it there.
            return Response(
                status: .temporaryRedirect,
                headers: [.location: url, .dockerContentDigest: digest.description, .contentLength: "0"])
        }
        // A GET opens the blob first: its size and its bytes then come from the same content, even if the blob is
        // removed meanwhile.
        var blob: BlobReader?
        let size: Int64
        if request.method == .head {
            guard let found = layout.blobSize(digest) else { throw LayoutError.blobNotFound(digest) }
            size = found
        } else {
            let opened = try layout.openBlob(digest)
            size = opened.size
            blob = opened
        }
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
        guard let blob, let range else { return Response(status: status, headers: headers, body: ResponseBody()) }
        let channel = (context as? RegistryRequestContext)?.channel
        let body = try BlobBody(blob: blob, range: range, channel: channel, sendfile: configuration.sendfile)
            .responseBody()
        return Response(status: status, headers: headers, body: body)
    }

    /// How long a redirect's presigned URL works, in seconds.
    static let redirectLifetime = 900

    /// `DELETE /v2/<name>/blobs/<digest>`: the blob leaves this repository only.
    ///
    /// Spec: https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md#deleting-blobs
    func deleteBlob(_ name: String, digest: Digest) async throws -> Response {
        try requireDeletes()
        let store = self.store
        try await io.perform(locking: name) { () throws(LayoutError) in try store.deleteBlob(digest, repository: name) }
        return .empty(.accepted)
    }

    /// The 201 of a blob that is now in a repository (upload finished or mounted).
    static func blobCreated(_ name: String, digest: Digest) -> Response {
        .empty(.created, headers: [.location: "/v2/\(name)/blobs/\(digest)", .dockerContentDigest: digest.description])
    }
}
