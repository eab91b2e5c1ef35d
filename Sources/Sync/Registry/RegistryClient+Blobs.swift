// SPDX-License-Identifier: Apache-2.0
import CurlTransport
public import Foundation
public import Layout

/// Reading blobs.
///
/// Spec: https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md#pulling-blobs
extension RegistryClient {
    /// The size of a blob the repository holds (`HEAD /v2/NAME/blobs/DIGEST`), or nil when it has none.
    /// - Parameter forPush: ask for the push scope (a destination checking before it uploads: one token).
    public func blobSize(_ repository: String, _ digest: Digest, forPush: Bool = false) throws(SyncError) -> Int64? {
        let request = RegistryRequest(
            method: "HEAD", url: url(repository, "blobs/\(digest)"),
            scopes: [RegistryClient.scope(repository, push: forPush)], followRedirects: true,
            context: "checking blob \(digest) in \(name(repository))")
        let response = try send(request)
        switch response.status {
        case 200..<300: return response.headers["Content-Length"].flatMap { Int64($0) } ?? -1
        case 404: return nil
        default: throw failure(response, context: request.context)
        }
    }

    /// Streams a blob to `body`, resuming after a broken connection with `Range: bytes=N-` from the last byte
    /// delivered, so `body` sees each byte once and in order. A 206 must say (`Content-Range`) that it starts
    /// at N. When the registry ignores the range and sends the whole blob (200), the bytes already delivered
    /// are skipped, or, with `restart`, the blob starts over from byte 0.
    /// - Parameters:
    ///   - repository: the repository.
    ///   - digest: the blob.
    ///   - size: the expected size, when known: a longer or shorter blob is an error.
    ///   - offset: where to start (an upload resuming mid-blob, a partial download resumed).
    ///   - verify: hash what is delivered and compare with `digest` at the end (only when `offset` is 0).
    ///   - restart: called when a ranged request is answered with the whole blob: the caller drops what it
    ///     has, and `body` then gets the blob from byte 0 (a partial download whose prefix is not trusted
    ///     more than the registry's own bytes). Without it, bytes already delivered are skipped.
    ///   - body: called with each piece, in order.
    /// - Throws: `.notFound`, `.layout(.digestMismatch)` after the last piece when `verify`, what `body`
    ///   throws, `.invalidResponse` for a 206 starting elsewhere, transport and registry errors after retries.
    public func fetchBlob(
        _ repository: String, _ digest: Digest, size: Int64?, from offset: Int64 = 0, verify: Bool = true,
        restart: (() throws(SyncError) -> Void)? = nil, into body: (UnsafeRawBufferPointer) throws(SyncError) -> Void
    ) throws(SyncError) {
        var hasher = verify && offset == 0 ? digest.makeHasher() : nil
        var delivered = offset
        let context = "fetching blob \(digest) from \(name(repository))"
        // `body` only runs during this call; the response handling holds it as an escaping closure.
        try withoutActuallyEscaping(body) { (body) throws(SyncError) in
            try withRetries(progress: { delivered }) { (retryAfter) throws(SyncError) in
                if let size, delivered >= size, size > 0 { return }
                var request = RegistryRequest(
                    method: "GET", url: url(repository, "blobs/\(digest)"),
                    scopes: [RegistryClient.scope(repository, push: false)], followRedirects: true, context: context)
                if delivered > 0 { request.headers.append("Range: bytes=\(delivered)-") }
                let start = delivered
                var position: Int64?
                let consume = { (status: Int, headers: HTTPHeaders, bytes: UnsafeRawBufferPointer) throws(SyncError) in
                    if position == nil {
                        position = try self.firstPosition(status, headers, requested: start, context: context)
                        if position == 0, start > 0, let restart {
                            try restart()
                            delivered = 0
                            if verify { hasher = digest.makeHasher() }
                        }
                    }
                    let at = position ?? 0
                    // The registry ignored the range: skip what was delivered before.
                    let skip = Int(min(Int64(bytes.count), max(0, delivered - at)))
                    position = at + Int64(bytes.count)
                    let fresh = UnsafeRawBufferPointer(rebasing: bytes[skip...])
                    guard !fresh.isEmpty else { return }
                    if let size, delivered + Int64(fresh.count) > size {
                        throw .invalidResponse(host: self.registry, reason: "blob \(digest) is larger than \(size) bytes")
                    }
                    hasher?.update(fresh)
                    try body(fresh)
                    delivered += Int64(fresh.count)
                }
                let response = try exchange(request, .stream(consume))
                try checkTransient(response, context: context, retryAfter: &retryAfter)
                switch response.status {
                case 200, 206:
                    if let size, delivered < size {
                        // The body ended early without a transport error: resume like a cut connection.
                        throw .transfer(host: registry, CurlError(code: 18, message: "blob ended after \(delivered) of \(size) bytes"))
                    }
                case 416 where size == delivered:
                    return
                case 404:
                    throw .notFound("blob \(digest) not found in \(name(repository))")
                default:
                    throw failure(response, context: context)
                }
            }
        }
        if let hasher {
            let actual = hasher.finalize()
            guard actual == digest else { throw .layout(.digestMismatch(expected: digest, actual: actual)) }
        }
    }

    /// Where the first byte of a 2xx blob body sits in the blob: 0 for a 200, the start of a 206's
    /// `Content-Range: bytes START-END/TOTAL`, which must be the offset asked for.
    private func firstPosition(_ status: Int, _ headers: HTTPHeaders, requested: Int64, context: String)
        throws(SyncError) -> Int64
    {
        guard status == 206 else { return 0 }
        let value = headers["Content-Range"] ?? ""
        let range = value.hasPrefix("bytes ") ? value.dropFirst(6) : Substring(value)
        guard let first = range.split(separator: "-").first, Int64(first.trimmingCharacters(in: .whitespaces)) == requested
        else {
            throw .invalidResponse(
                host: registry, reason: "\(context): asked for bytes from \(requested), got Content-Range '\(value)'")
        }
        return requested
    }
}
