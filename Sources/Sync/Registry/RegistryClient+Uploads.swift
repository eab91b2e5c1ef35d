// SPDX-License-Identifier: Apache-2.0
import CurlTransport
import Foundation
public import Layout

/// What `pushBlob` did.
public enum BlobPushOutcome: String, Sendable, Codable {
    /// Mounted from another repository of the same registry: no bytes moved.
    case mounted
    /// Uploaded.
    case uploaded
}

/// Writing blobs: POST-then-PUT for small blobs, chunked PATCHes that resume for large ones, cross-repository
/// mounts.
///
/// Spec: https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md#pushing-blobs
extension RegistryClient {
    /// Uploads a blob, or mounts it from `mountFrom` when the registry can (a 202 answer to the mount falls
    /// back to an upload in the session the registry opened).
    ///
    /// Blobs smaller than `configuration.chunkedUploadThreshold` go in one PUT; a failed PUT is retried whole.
    /// Larger ones go in PATCHes of `configuration.chunkSize` bytes with `Content-Range`; after a failure the
    /// upload resumes where the registry's session ends (`GET` on the session's Location), or starts over
    /// when the session is gone. With a `record`, the session's Location is kept there as the upload goes, so
    /// a later run (after a crash or kill) resumes the same session the same way.
    /// - Parameters:
    ///   - repository: where the blob goes.
    ///   - descriptor: its digest and size.
    ///   - mountFrom: another repository of this registry that may hold it.
    ///   - record: where a chunked upload keeps its session's Location between runs (removed once the blob is
    ///     stored); the caller keys it by registry, repository and digest.
    ///   - open: opens the blob's content from an offset; called again for each retry.
    /// - Throws: registry, transport and stream errors after retries; `.invalidResponse` when the registry
    ///   reports another digest.
    @discardableResult
    public func pushBlob(
        _ repository: String, _ descriptor: Descriptor, mountFrom: String? = nil, record: ResumeRecord? = nil,
        open: (Int64) throws(SyncError) -> any BlobStream
    ) throws(SyncError) -> BlobPushOutcome {
        var session: String?
        if let mountFrom, mountFrom != repository {
            switch try mount(repository, descriptor.digest, from: mountFrom) {
            case .none: return .mounted
            case .some(let location): session = location
            }
        }
        if descriptor.size >= configuration.chunkedUploadThreshold {
            try pushChunked(repository, descriptor, session: session, record: record, open: open)
        } else {
            try pushMonolithic(repository, descriptor, session: session, open: open)
        }
        return .uploaded
    }

    /// `POST …/blobs/uploads/?mount=DIGEST&from=REPO`, sent once: a POST is not idempotent (each one may open
    /// a session on the registry), so a transient failure means no mount and the upload, with its own
    /// retries, goes on.
    /// - Returns: nil when mounted (201), else the upload session the registry opened instead (202).
    private func mount(_ repository: String, _ digest: Digest, from: String) throws(SyncError) -> String?? {
        let request = RegistryRequest(
            method: "POST", url: url(repository, "blobs/uploads/?mount=\(digest)&from=\(from)"),
            scopes: [RegistryClient.scope(repository, push: true), RegistryClient.scope(from, push: false)],
            context: "mounting blob \(digest) from \(from) into \(name(repository))")
        let response: RegistryResponse
        do throws(SyncError) {
            response = try exchange(request, .collect(limit: RegistryClient.errorBodyLimit))
        } catch {
            // Credentials that cannot read `from` just mean no mount.
            switch error {
            case .authenticationFailed, .accessDenied: return .some(nil)
            default: break
            }
            if error.isRetryable { return .some(nil) }
            throw error
        }
        switch response.status {
        case 201: return .none
        case 202: return .some(try location(of: response, context: request.context))
        default: return .some(nil)
        }
    }

    /// POST-then-PUT, the whole upload retried on failure.
    private func pushMonolithic(
        _ repository: String, _ descriptor: Descriptor, session: String?, open: (Int64) throws(SyncError) -> any BlobStream
    ) throws(SyncError) {
        var session = session
        let context = "uploading blob \(descriptor.digest) to \(name(repository))"
        try withRetries { (retryAfter) throws(SyncError) in
            let location: String
            if let session { location = session } else { location = try startUpload(repository) }
            session = nil
            let stream = try open(0)
            defer { stream.close() }
            let request = RegistryRequest(
                method: "PUT", url: RegistryClient.appendingQuery(location, "digest", descriptor.digest.description),
                headers: ["Content-Type: application/octet-stream"],
                scopes: [RegistryClient.scope(repository, push: true)],
                body: .stream(length: descriptor.size, stream), context: context)
            let response = try exchange(request, .collect(limit: RegistryClient.errorBodyLimit))
            try checkTransient(response, context: context, retryAfter: &retryAfter)
            try checkCreated(response, descriptor.digest, context: context)
        }
    }

    /// PATCHes of `chunkSize` bytes, resuming from the registry's session state after a failure.
    ///
    /// Only bytes the registry confirmed in a PATCH's 202 count as progress for the retry limit (the furthest
    /// offset confirmed so far): a session status or a new session moves no further, so an upload that keeps
    /// failing, or keeps starting over, gives up after `retry.maxAttempts` attempts.
    ///
    /// A session saved in `record` by an earlier run (on this registry's origin) is asked where it stands first
    /// and continued from there; when it is gone (404), a new one starts.
    private func pushChunked(
        _ repository: String, _ descriptor: Descriptor, session: String?, record: ResumeRecord?,
        open: (Int64) throws(SyncError) -> any BlobStream
    ) throws(SyncError) {
        var location = session
        var offset: Int64 = 0
        // A saved session that is gone is replaced in the record by the new one. Only a session on this
        // registry is trusted: a record pointing elsewhere (a layout from someone else) gets no blob bytes.
        if location == nil, let saved = record?.value, isRegistryOrigin(saved),
            let status = try uploadStatus(saved, repository: repository), let current = status.0
        {
            (location, offset) = (current, min(status.1, descriptor.size))
        }
        var confirmedHigh: Int64 = 0
        var stream: (any BlobStream)?
        defer { stream?.close() }
        var attempts = 0
        let context = "uploading blob \(descriptor.digest) to \(name(repository))"
        let scopes = [RegistryClient.scope(repository, push: true)]
        try withRetries(progress: { confirmedHigh }) { (retryAfter) throws(SyncError) in
            attempts += 1
            if attempts > 1 {
                stream?.close()
                stream = nil
                if let current = location, let status = try uploadStatus(current, repository: repository) {
                    (location, offset) = status
                } else {
                    (location, offset) = (nil, 0)
                }
            }
            let current: String
            if let location { current = location } else {
                current = try startUpload(repository)
                offset = 0
                try? record?.save(current)
            }
            location = current
            if stream == nil { stream = try open(offset) }
            guard let source = stream else { return }
            while offset < descriptor.size {
                let length = min(configuration.chunkSize, descriptor.size - offset)
                let request = RegistryRequest(
                    method: "PATCH", url: location ?? current,
                    headers: ["Content-Type: application/octet-stream", "Content-Range: \(offset)-\(offset + length - 1)"],
                    scopes: scopes, body: .stream(length: length, WindowStream(source, length: length)), context: context)
                let response = try exchange(request, .collect(limit: RegistryClient.errorBodyLimit))
                try checkTransient(response, context: context, retryAfter: &retryAfter)
                if response.status == 416 {
                    // The session disagrees about where we are: start a new one.
                    location = nil
                    throw .transfer(host: registry, CurlError(code: 18, message: "upload range not accepted"))
                }
                guard response.status == 202 else { throw failure(response, context: context) }
                location = try self.location(of: response, context: context)
                if let location { try? record?.save(location) }
                let confirmed = try nextOffset(response, context: context) ?? offset + length
                guard confirmed <= offset + length else {
                    throw .invalidResponse(
                        host: registry, reason: "\(context): the registry kept \(confirmed) bytes of \(offset + length) sent")
                }
                confirmedHigh = max(confirmedHigh, confirmed)
                if confirmed != offset + length {
                    offset = confirmed
                    throw .transfer(host: registry, CurlError(code: 18, message: "the registry kept \(confirmed) bytes"))
                }
                offset = confirmed
            }
            let request = RegistryRequest(
                method: "PUT", url: RegistryClient.appendingQuery(location ?? current, "digest", descriptor.digest.description),
                scopes: scopes, body: .data(Data()), context: context)
            let response = try exchange(request, .collect(limit: RegistryClient.errorBodyLimit))
            try checkTransient(response, context: context, retryAfter: &retryAfter)
            try checkCreated(response, descriptor.digest, context: context)
            record?.remove()
        }
    }

    /// Opens an upload session: `POST …/blobs/uploads/` → 202 with Location.
    private func startUpload(_ repository: String) throws(SyncError) -> String {
        let request = RegistryRequest(
            method: "POST", url: url(repository, "blobs/uploads/"), scopes: [RegistryClient.scope(repository, push: true)],
            context: "starting an upload to \(name(repository))")
        let response = try send(request)
        guard response.status == 202 else { throw failure(response, context: request.context) }
        return try location(of: response, context: request.context)
    }

    /// Where an upload session stands: `GET LOCATION` → 204 with `Range: 0-END`.
    ///
    /// `0-0` is ambiguous (registries, distribution among them, send it for an empty session as well as for
    /// one holding a byte) and is read as an empty session: resuming at 0 is at worst refused with a 416.
    /// - Returns: the session's location and the next offset, or nil when the session is gone.
    private func uploadStatus(_ location: String, repository: String) throws(SyncError) -> (String?, Int64)? {
        let request = RegistryRequest(
            method: "GET", url: location, scopes: [RegistryClient.scope(repository, push: true)],
            context: "checking an upload to \(name(repository))")
        let response = try send(request)
        guard response.status == 204 || response.status == 202 else { return nil }
        let next = try nextOffset(response, context: request.context) ?? 0
        let current = (try? self.location(of: response, context: request.context)) ?? location
        return (current, next == 1 ? 0 : next)
    }

    /// END + 1 of a response's `Range: 0-END`, or nil without one.
    /// - Throws: `.invalidResponse` when END + 1 does not fit in an `Int64`.
    private func nextOffset(_ response: RegistryResponse, context: String) throws(SyncError) -> Int64? {
        guard let end = RegistryClient.rangeEnd(response.headers["Range"]) else { return nil }
        let (next, overflow) = end.addingReportingOverflow(1)
        guard !overflow else {
            throw .invalidResponse(host: registry, reason: "\(context): the registry sent an impossible Range 0-\(end)")
        }
        return next
    }

    /// 201 (or another 2xx) and, when the registry names the digest, the one we sent.
    private func checkCreated(_ response: RegistryResponse, _ digest: Digest, context: String) throws(SyncError) {
        guard response.isSuccess else { throw failure(response, context: context) }
        if let header = response.headers["Docker-Content-Digest"], let reported = try? Digest(header),
            reported.algorithm == digest.algorithm, reported != digest
        {
            throw .invalidResponse(host: registry, reason: "\(context): the registry stored \(reported)")
        }
    }

    /// The absolute URL of a response's `Location` (registries send relative or absolute ones).
    func location(of response: RegistryResponse, context: String) throws(SyncError) -> String {
        guard let value = response.headers["Location"], !value.isEmpty,
            let url = URL(string: value, relativeTo: URL(string: baseURL))
        else { throw .invalidResponse(host: registry, reason: "\(context): the answer has no Location") }
        return url.absoluteString
    }

    /// `url` with `name=value` added to its query, keeping the items already there (upload state).
    /// The existing query is kept byte for byte (decoding and re-encoding could turn `%2B` into `+`).
    static func appendingQuery(_ url: String, _ name: String, _ value: String) -> String {
        guard var components = URLComponents(string: url) else { return url }
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=+#")
        let item = "\(name)=\(value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value)"
        components.percentEncodedQuery = components.percentEncodedQuery.map { "\($0)&\(item)" } ?? item
        return components.string ?? url
    }

    /// The END of `0-END` (or `bytes=0-END`).
    static func rangeEnd(_ value: String?) -> Int64? {
        guard let value, let dash = value.lastIndex(of: "-") else { return nil }
        return Int64(value[value.index(after: dash)...].trimmingCharacters(in: .whitespaces))
    }
}
