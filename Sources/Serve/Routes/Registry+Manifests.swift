// SPDX-License-Identifier: Apache-2.0
import Foundation
import HTTPTypes
import Hummingbird
import Layout

/// Manifests: pull (exact bytes, content negotiation), push (validated by Layout), delete.
extension Registry {
    /// `GET`/`HEAD /v2/<name>/manifests/<reference>`: the stored bytes with their media type.
    ///
    /// When the request has an `Accept` list that names neither the manifest's media type nor a matching
    /// wildcard, the answer is 404 MANIFEST_UNKNOWN, as distribution answers a client that cannot take the type
    /// (no conversion is attempted).
    ///
    /// Under a trust policy, a manifest without a valid signature answers 403 DENIED (`requireTrusted`).
    ///
    /// Spec: https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md#pulling-manifests
    func getManifest(_ name: String, reference: DistributionRoute.Reference, request: Request) async throws
        -> Response
    {
        let layout = try store.layout(for: name)
        let (descriptor, version) = try resolve(reference, in: layout, name: name)
        guard Registry.accepts(request, descriptor.mediaType) else {
            throw OCIError(
                .manifestUnknown,
                "manifest \(name):\(reference) is \(descriptor.mediaType), which the Accept header does not include")
        }
        let bytes = try manifestBytes(descriptor.digest, in: layout, name: name)
        try await requireTrusted(descriptor, bytes: bytes, reference: reference, name: name, layout: layout)
        try enforcePolicy(name, digest: descriptor.digest, bytes: bytes)
        let response = Response.json(
            bytes, contentType: descriptor.mediaType.rawValue, head: request.method == .head,
            headers: [.dockerContentDigest: descriptor.digest.description, .eTag: "\"\(descriptor.digest)\""])
        if let version {
            // Listed in index.json: the next pull of this path is answered from memory while nothing changed.
            let entry = ManifestResponseCache.Entry(
                layout: layout, version: version, digest: descriptor.digest, blobSize: Int64(bytes.count),
                mediaType: descriptor.mediaType.rawValue, headers: response.headers, body: ByteBuffer(bytes: bytes))
            manifestResponses.insert(entry, for: request.uri.path)
        }
        return response
    }

    /// `PUT /v2/<name>/manifests/<reference>`: stores the exact bytes (at most `maxManifestSize`, else 413) after
    /// Layout checked them and everything they reference; a tag points at it, or with a digest reference the
    /// digest must match. `?tag=` parameters add tags (reported in `OCI-Tag`). The repository is created when
    /// needed.
    ///
    /// Spec: https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md#pushing-manifests
    func putManifest(_ name: String, reference: DistributionRoute.Reference, request: Request) async throws
        -> Response
    {
        let limit = configuration.maxManifestSize
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > limit {
            throw Registry.manifestTooLarge(declared, limit: limit)
        }
        let bytes = try await Registry.collect(request.body, limit: limit)
        let mediaType = Registry.declaredManifestType(request)
        let manifest = try Manifest(bytes: bytes, declared: mediaType)
        let tag: String?
        let expected: Digest?
        switch reference {
        case .tag(let name): (tag, expected) = (name, nil)
        case .digest(let digest): (tag, expected) = (nil, digest)
        }
        let extraTags = Registry.queryValues(request, "tag")
        for extra in extraTags { try Names.validateTag(extra) }
        let store = self.store
        // Under the layout's lock, which online GC or the CLI may hold for long, and fsynced: on the store's threads.
        let descriptor = try await io.perform(locking: name) { () throws(LayoutError) in
            var existing = try? store.layout(for: name)
            if existing == nil, let missing = manifest.references.first(where: { $0.urls?.isEmpty ?? true }) {
                // A new repository holds nothing a manifest could reference: refuse before creating it.
                throw .manifestBlobUnknown(missing.digest)
            }
            if existing == nil { existing = try store.layout(for: name, create: true) }
            guard let layout = existing else { throw .notALayout(name) }
            let descriptor = try layout.putManifest(manifest, tag: tag, expected: expected)
            for extra in extraTags { try layout.tag(extra, to: descriptor) }
            return descriptor
        }
        signatureArrived(manifest, tags: (tag.map { [$0] } ?? []) + extraTags, in: name)
        var headers: HTTPFields = [
            .location: "/v2/\(name)/manifests/\(descriptor.digest)",
            .dockerContentDigest: descriptor.digest.description,
        ]
        if let subject = manifest.subject { headers[.ociSubject] = subject.digest.description }
        if !extraTags.isEmpty { headers[.ociTag] = extraTags.joined(separator: ", ") }
        await scanning?.pushed(manifest, digest: descriptor.digest, repository: name)
        return .empty(.created, headers: headers)
    }

    /// `DELETE /v2/<name>/manifests/<reference>`: by tag removes the tag, by digest the manifest (202).
    ///
    /// Spec: https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md#deleting-manifests
    func deleteManifest(_ name: String, reference: DistributionRoute.Reference) async throws -> Response {
        try requireDeletes()
        let store = self.store
        try await io.perform(locking: name) { () throws(LayoutError) in
            switch reference {
            case .tag(let tag): try store.layout(for: name).untag(tag)
            case .digest(let digest): try store.deleteManifest(digest, repository: name)
            }
        }
        return .empty(.accepted)
    }

    // MARK: - Helpers

    /// The descriptor of a tag or digest: from the cached index.json (with the version of that index), else (a
    /// child of an index) from the blob (without a version).
    func resolve(_ reference: DistributionRoute.Reference, in layout: OCILayout, name: String)
        throws(LayoutError) -> (Descriptor, IndexVersion?)
    {
        let (index, version) = try indexes.versionedIndex(of: layout)
        switch reference {
        case .tag(let tag):
            guard let entry = index.entry(tagged: tag) else { throw .manifestNotFound("\(name):\(tag)") }
            return (entry, version)
        case .digest(let digest):
            if let entry = index.entries(for: digest).first { return (entry, version) }
            do {
                return (try layout.resolve(.digest(digest)), nil)
            } catch .io(let operation, let path, let code) {
                throw .io(operation, path: path, errno: code)
            } catch {
                // Absent, or a blob that is no manifest.
                throw .manifestNotFound("\(name)@\(digest)")
            }
        }
    }

    /// A manifest's bytes, from memory when this repository still has the blob.
    private func manifestBytes(_ digest: Digest, in layout: OCILayout, name: String) throws(LayoutError) -> Data {
        if let cached = manifests[digest], layout.blobSize(digest) == Int64(cached.count) { return cached }
        let bytes: Data
        do {
            bytes = try layout.readBlob(digest)
        } catch .blobNotFound {
            throw .manifestNotFound("\(name)@\(digest)")
        } catch .digestMismatch, .sizeMismatch {
            // The stored copy is corrupt: a fault of the registry (500), not of the request.
            throw .verificationFailed("\(name)@\(digest): the stored manifest does not match its digest")
        }
        manifests.insert(bytes, for: digest)
        return bytes
    }

    /// Whether the request's `Accept` list takes `mediaType` (no list takes everything).
    static func accepts(_ request: Request, _ mediaType: Layout.MediaType) -> Bool {
        accepts(request, mediaType.rawValue)
    }

    /// Whether the request's `Accept` list takes `mediaType`: `*/*`, `type/*` or the type itself, in any case,
    /// parameters ignored; no list takes everything. Reads the header in place (no copies: it runs on every pull).
    static func accepts(_ request: Request, _ mediaType: String) -> Bool {
        let type = mediaType.utf8
        var listed = false
        for value in request.headers[values: .accept] {
            let utf8 = value.utf8
            var start = utf8.startIndex
            while start < utf8.endIndex {
                let comma = utf8[start...].firstIndex(of: UInt8(ascii: ",")) ?? utf8.endIndex
                var end = utf8[start..<comma].firstIndex(of: UInt8(ascii: ";")) ?? comma
                let isBlank = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
                while start < end, isBlank(utf8[start]) { start = utf8.index(after: start) }
                while end > start, isBlank(utf8[utf8.index(before: end)]) { end = utf8.index(before: end) }
                let item = utf8[start..<end]
                if !item.isEmpty {
                    listed = true
                    if item.elementsEqual("*/*".utf8) || sameIgnoringCase(item, type) { return true }
                    if item.count >= 2, item.reversed().starts(with: "*/".utf8),
                        type.count >= item.count - 1, sameIgnoringCase(item.dropLast(), type.prefix(item.count - 1))
                    {
                        return true
                    }
                }
                start = comma == utf8.endIndex ? comma : utf8.index(after: comma)
            }
        }
        return !listed
    }

    /// ASCII case-insensitive equality of two byte sequences.
    private static func sameIgnoringCase(_ lhs: some Collection<UInt8>, _ rhs: some Collection<UInt8>) -> Bool {
        guard lhs.count == rhs.count else { return false }
        for (left, right) in zip(lhs, rhs) where left != right {
            // Equal only as the same ASCII letter in two cases.
            guard left | 0x20 == right | 0x20, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(left | 0x20) else {
                return false
            }
        }
        return true
    }

    /// The manifest type the request declares in `Content-Type` (parameters dropped); generic JSON or binary
    /// types, or none, leave it to the manifest's `mediaType` field.
    static func declaredManifestType(_ request: Request) -> Layout.MediaType? {
        guard let header = request.headers[.contentType] else { return nil }
        let type = (header.split(separator: ";").first ?? "").trimmingWhitespace()
        guard !type.isEmpty, !["application/json", "application/octet-stream"].contains(type.lowercased()) else {
            return nil
        }
        return Layout.MediaType(type)
    }

    /// Collects a small body, refusing more than `limit` bytes with 413.
    /// - Throws: 413 past `limit`; 400 SIZE_INVALID when the body breaks off, or the decoder's answer when it is
    ///   malformed (`OCIError.unreadableBody`).
    static func collect(_ body: RequestBody, limit: Int) async throws -> Data {
        var collected = ByteBuffer()
        var parts = body.makeAsyncIterator()
        while true {
            let next: ByteBuffer?
            do {
                next = try await parts.next()
            } catch {
                throw OCIError.unreadableBody(error, after: Int64(collected.readableBytes))
            }
            guard let part = next else { return Data(collected.readableBytesView) }
            guard collected.readableBytes + part.readableBytes <= limit else {
                throw manifestTooLarge(collected.readableBytes + part.readableBytes, limit: limit)
            }
            collected.writeImmutableBuffer(part)
        }
    }

    /// 413 MANIFEST_INVALID, with `Connection: close`: the rest of the body is not read, so the connection ends
    /// once the answer is out (see `ConnectionCloseHandler`) rather than reading the client's bytes to drop them.
    static func manifestTooLarge(_ size: Int, limit: Int) -> OCIError {
        OCIError(
            .manifestInvalid, "manifest of \(size) bytes or more exceeds this registry's \(limit)-byte limit",
            status: .contentTooLarge, headers: [.connection: "close"])
    }
}
