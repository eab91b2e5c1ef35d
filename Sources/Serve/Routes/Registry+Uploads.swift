// SPDX-License-Identifier: Apache-2.0
import HTTPTypes
import Hummingbird
import Layout

/// Blob pushes: upload sessions (POST, PATCH, PUT, GET status, DELETE), single-POST uploads and mounts.
///
/// Spec: https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md#pushing-blobs
extension Registry {
    /// `POST /v2/<name>/blobs/uploads/`: a mount (`?mount=&from=`, 201, else a session), a whole blob in one
    /// request (`?digest=`, 201), or a new session (202).
    func startUpload(_ name: String, request: Request) async throws -> Response {
        if let mount = Registry.query(request, "mount") {
            let digest = try Registry.digest(mount)
            let (store, source) = (self.store, Registry.query(request, "from"))
            // A copy across filesystems, or a look through every repository: on the store's threads.
            let mounted = try await io.perform { () throws(LayoutError) in
                try store.mountBlob(digest, into: name, from: source)
            }
            if mounted {
                return Registry.blobCreated(name, digest: digest)
            }
        }
        if let text = Registry.query(request, "digest") {
            let digest = try Registry.digest(text)
            let session = try await sessions.start(repository: name, algorithm: digest.algorithm)
            await expectWhole(digest, of: request, into: session)
            do {
                _ = try await Registry.receive(request.body, into: session)
            } catch {
                await sessions.discard(session)
                throw error
            }
            try await sessions.complete(session, expected: digest)
            return Registry.blobCreated(name, digest: digest)
        }
        var algorithm = DigestAlgorithm.sha256
        if let text = Registry.query(request, "digest-algorithm") {
            guard let requested = DigestAlgorithm(rawValue: text) else {
                throw OCIError(.digestInvalid, "unsupported digest algorithm '\(text)': use sha256 or sha512")
            }
            algorithm = requested
        }
        let session = try await sessions.start(repository: name, algorithm: algorithm)
        await sessions.checkin(session)
        return .empty(.accepted, headers: Registry.uploadHeaders(name, id: session.id, offset: 0))
    }

    /// `GET <location>`: where the upload stands (204 with `Range`).
    func uploadStatus(_ name: String, id: String) async throws -> Response {
        let session = try await sessions.checkout(id, repository: name)
        let offset = session.offset
        await sessions.checkin(session)
        return .empty(.noContent, headers: Registry.uploadHeaders(name, id: id, offset: offset))
    }

    /// `PATCH <location>`: appends a chunk (`Content-Range` must start where the upload ends, else 416) or, without
    /// `Content-Range`, a stream.
    func patchUpload(_ name: String, id: String, request: Request) async throws -> Response {
        let session = try await sessions.checkout(id, repository: name)
        do {
            let expected = try Registry.chunkLength(of: request, session: session, name: name)
            let received = try await Registry.receive(request.body, into: session)
            // The chunk went to the page cache; the state file is written and fsynced on the store's threads.
            try await io.perform { () throws(LayoutError) in try session.saveState() }
            try Registry.check(received: received, expected: expected)
            let offset = session.offset
            await sessions.checkin(session)
            return .empty(.accepted, headers: Registry.uploadHeaders(name, id: id, offset: offset))
        } catch {
            try await release(session, after: error)
        }
    }

    /// `PUT <location>?digest=`: appends the optional last chunk, verifies the whole blob against `digest` and
    /// commits it (201). On a mismatch the session and its data are gone and nothing is visible.
    func finishUpload(_ name: String, id: String, request: Request) async throws -> Response {
        guard let text = Registry.query(request, "digest") else {
            throw OCIError(
                .digestInvalid, "finishing an upload needs the blob's digest: PUT <location>?digest=<digest>")
        }
        let digest = try Registry.digest(text)
        let session = try await sessions.checkout(id, repository: name)
        do {
            let expected = try Registry.chunkLength(of: request, session: session, name: name)
            await expectWhole(digest, of: request, into: session)
            let received = try await Registry.receive(request.body, into: session)
            try Registry.check(received: received, expected: expected)
        } catch {
            try await release(session, after: error)
        }
        try await sessions.complete(session, expected: digest)
        return Registry.blobCreated(name, digest: digest)
    }

    /// `DELETE <location>`: cancels the upload (204).
    func cancelUpload(_ name: String, id: String) async throws -> Response {
        try await sessions.cancel(id, repository: name)
        return .empty(.noContent)
    }

    // MARK: - Helpers

    /// Tells a session that `request`'s body is the whole of blob `digest` (`UploadSession.expectWhole`), on the
    /// store's threads (an object store asks the bucket first).
    private func expectWhole(_ digest: Digest, of request: Request, into session: any UploadSession) async {
        let length = request.headers[.contentLength].flatMap { Int64($0) }
        await io.run { session.expectWhole(digest, length: length) }
    }

    /// Lets go of a session after its request failed with `error`, and rethrows.
    ///
    /// A session whose data could not be written (`LayoutError`: a full disk, an I/O error) is discarded: its hash
    /// already covers bytes its data file may lack, so it cannot go on; its data goes too, freeing the space. Any
    /// other goes back for the next request, unless a write that failed behind the hashing shows only now: the
    /// session is then gone too, and that failure (not the request's error) tells the client why.
    private func release(_ session: any UploadSession, after error: any Error) async throws -> Never {
        if let error = error as? LayoutError {
            await sessions.discard(session)
            throw error
        }
        await sessions.checkin(session)
        throw session.failure ?? error
    }

    /// Streams a request body into a session, buffer by buffer (memory stays flat for any size).
    /// - Returns: the bytes received.
    /// - Throws: `LayoutError` when the session cannot write (the session is then unusable); 400 SIZE_INVALID
    ///   when the body breaks off (the client closed the connection before sending all it announced; what
    ///   arrived stays in the session); the decoder's answer when the body is malformed (`MalformedRequest`).
    static func receive(_ body: RequestBody, into session: any UploadSession) async throws -> Int64 {
        var count: Int64 = 0
        var buffers = body.makeAsyncIterator()
        while true {
            let next: ByteBuffer?
            do {
                next = try await buffers.next()
            } catch {
                throw OCIError.unreadableBody(error, after: count)
            }
            guard let buffer = next else { return count }
            try session.append(BodyPiece(buffer: buffer))
            count += Int64(buffer.readableBytes)
        }
    }

    /// Checks a chunk's `Content-Range` (`<start>-<end>`, inclusive) against the session and `Content-Length`.
    /// - Returns: the length the range announces, or nil without `Content-Range`.
    /// - Throws: 416 BLOB_UPLOAD_INVALID (with `Location` and `Range`) when the chunk does not start where the
    ///   upload ends; 400 for a malformed range or a `Content-Length` that disagrees with it.
    static func chunkLength(of request: Request, session: any UploadSession, name: String) throws(OCIError) -> Int64? {
        guard let header = request.headers[.contentRange] else { return nil }
        guard let (start, end) = parseContentRange(header), end >= start else {
            throw OCIError(.blobUploadInvalid, "malformed Content-Range '\(header)': expected <start>-<end>")
        }
        guard start == session.offset else {
            let error = UploadError.outOfOrder(id: session.id, offset: session.offset, start: start)
            throw OCIError(
                .blobUploadInvalid, error.description, status: .rangeNotSatisfiable,
                headers: uploadHeaders(name, id: session.id, offset: session.offset))
        }
        let length = end - start + 1
        if let declared = request.headers[.contentLength].flatMap({ Int64($0) }), declared != length {
            throw OCIError(
                .sizeInvalid, "Content-Length \(declared) does not match Content-Range '\(header)' (\(length) bytes)")
        }
        return length
    }

    /// Fails when a chunk's body was not as long as its `Content-Range` said (the bytes received stay in the
    /// upload; the client can ask where it stands).
    static func check(received: Int64, expected: Int64?) throws(OCIError) {
        guard let expected, received != expected else { return }
        throw OCIError(.sizeInvalid, "the chunk had \(received) bytes, but its Content-Range announced \(expected)")
    }

    /// `<start>-<end>`, also accepting a `bytes ` or `bytes=` prefix.
    static func parseContentRange(_ header: String) -> (Int64, Int64)? {
        var value = Substring(header.trimmingWhitespace())
        for prefix in ["bytes=", "bytes "] where value.lowercased().hasPrefix(prefix) {
            value = value.dropFirst(prefix.count)
        }
        let parts = value.split(separator: "-", omittingEmptySubsequences: false)
        // `end < Int64.max` keeps `end - start + 1` from overflowing (a trap, which would stop the server).
        guard parts.count == 2, let start = Int64(parts[0]), let end = Int64(parts[1]), start >= 0, end < .max
        else { return nil }
        return (start, end)
    }

    /// `Location`, `Range: 0-<last byte>` and `Docker-Upload-UUID` of an upload in progress. An empty upload
    /// reports `0-0`, as distribution does.
    static func uploadHeaders(_ name: String, id: String, offset: Int64) -> HTTPFields {
        [
            .location: "/v2/\(name)/blobs/uploads/\(id)",
            .range: "0-\(max(offset - 1, 0))",
            .dockerUploadUUID: id,
        ]
    }
}
