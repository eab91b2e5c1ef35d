// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
@testable import Sync

/// An in-memory registry (one namespace for every repository name) on a `FakeServer`, with optional Basic or
/// Bearer auth and a hook to inject faults. It has no referrers API (404), like distribution 2.8.
final class FakeRegistry: @unchecked Sendable {
    enum Auth {
        case none
        case basic(Credentials)
        /// Bearer tokens from `/token`, which requires `credentials` when set.
        case bearer(token: String, credentials: Credentials?)
        /// Bearer tokens from `/token` for an identity token only: `POST` with the OAuth2 form
        /// `grant_type=refresh_token&refresh_token=…` (docker's flow for identity tokens).
        case oauth(token: String, refreshToken: String)
    }

    struct Content {
        var manifests: [String: (bytes: Data, mediaType: String)] = [:]
        var blobs: [String: Data] = [:]
        var uploads: [String: Data] = [:]
        var requests: [FakeRequest] = []
        var tokenRequests: [FakeRequest] = []
    }

    let content = Locked(Content())
    private(set) var server: FakeServer?
    let auth: Auth
    /// Consulted first for every request (with the number of earlier requests for the same method and path);
    /// a non-nil reply is sent as is.
    let fault: Locked<(@Sendable (FakeRequest, Int) -> FakeReply?)?> = Locked(nil)
    /// Answer Range requests with the whole blob (200), as some servers do.
    let ignoreRange = Locked(false)

    init(auth: Auth = .none) throws {
        self.auth = auth
        server = try FakeServer { [unowned self] request in self.handle(request) }
    }

    deinit { server?.stop() }

    func stop() { server?.stop() }

    var host: String { server?.host ?? "" }

    var requests: [FakeRequest] { content.current.requests }

    func client(_ credentials: Credentials? = nil, retry: RetryPolicy = RetryPolicy(initialDelay: 0.01)) -> RegistryClient {
        RegistryClient(
            registry: host, configuration: RegistryConfiguration(plainHTTP: true, credentials: credentials, retry: retry))
    }

    /// Stores a manifest under its digest and, when given, a tag.
    func addManifest(_ bytes: Data, mediaType: MediaType, tag: String? = nil) {
        content.withLock { content in
            content.manifests[Digest.sha256(of: bytes).description] = (bytes, mediaType.rawValue)
            if let tag { content.manifests[tag] = (bytes, mediaType.rawValue) }
        }
    }

    func addBlob(_ bytes: Data, digest: Digest? = nil) {
        content.withLock { $0.blobs[(digest ?? Digest.sha256(of: bytes)).description] = bytes }
    }

    private func handle(_ request: FakeRequest) -> FakeReply {
        if request.path == "/token" { return token(request) }
        let earlier = content.withLock { content in
            defer { content.requests.append(request) }
            return content.requests.filter { $0.method == request.method && $0.path == request.path }.count
        }
        if let reply = fault.current?(request, earlier) { return reply }
        if let denied = authorize(request) { return denied }
        return route(request)
    }

    private func authorize(_ request: FakeRequest) -> FakeReply? {
        switch auth {
        case .none: return nil
        case .basic(let credentials):
            if request.headers["authorization"] == "Basic \(credentials.base64)" { return nil }
            return .error(401, code: "UNAUTHORIZED", message: "authentication required",
                          headers: [("WWW-Authenticate", #"Basic realm="fake""#)])
        case .bearer(let token, _), .oauth(let token, _):
            if request.headers["authorization"] == "Bearer \(token)" { return nil }
            let challenge = #"Bearer realm="http://\#(host)/token",service="fake-registry""#
            return .error(401, code: "UNAUTHORIZED", message: "authentication required",
                          headers: [("WWW-Authenticate", challenge)])
        }
    }

    private func token(_ request: FakeRequest) -> FakeReply {
        content.withLock { $0.tokenRequests.append(request) }
        if case .oauth(let token, let refreshToken) = auth {
            let form = request.form
            guard request.method == "POST", form["grant_type"] == "refresh_token", form["refresh_token"] == refreshToken
            else { return .json(401, #"{"error":"invalid_grant"}"#) }
            return .json(200, #"{"access_token":"\#(token)","expires_in":300}"#)
        }
        guard case .bearer(let token, let credentials) = auth else { return FakeReply(status: 404) }
        if let credentials, request.headers["authorization"] != "Basic \(credentials.base64)" {
            return .error(401, code: "UNAUTHORIZED", message: "invalid username or password")
        }
        return .json(200, #"{"token":"\#(token)","expires_in":300}"#)
    }

    private func route(_ request: FakeRequest) -> FakeReply {
        let path = request.path
        if path == "/v2/" { return .json(200, "{}") }
        if let range = path.range(of: "/manifests/", options: .backwards) {
            return manifest(request, reference: String(path[range.upperBound...]))
        }
        if let range = path.range(of: "/blobs/uploads/", options: .backwards) {
            return upload(request, id: String(path[range.upperBound...]), base: String(path[..<range.upperBound]))
        }
        if let range = path.range(of: "/blobs/", options: .backwards) {
            return blob(request, digest: String(path[range.upperBound...]))
        }
        if path.hasSuffix("/tags/list") {
            let tags = content.current.manifests.keys.filter { !$0.contains(":") }.sorted()
            let list = tags.map { "\"\($0)\"" }.joined(separator: ",")
            return .json(200, #"{"name":"x","tags":[\#(list)]}"#)
        }
        return .error(404, code: "NAME_UNKNOWN", message: "no route")
    }

    private func manifest(_ request: FakeRequest, reference: String) -> FakeReply {
        if request.method == "PUT" {
            let digest = Digest.sha256(of: request.body).description
            let type = request.headers["content-type"] ?? MediaType.ociManifest.rawValue
            content.withLock { content in
                content.manifests[digest] = (request.body, type)
                content.manifests[reference] = (request.body, type)
            }
            return FakeReply(status: 201, headers: [("Docker-Content-Digest", digest)])
        }
        guard let (bytes, type) = content.current.manifests[reference] else {
            return .error(404, code: "MANIFEST_UNKNOWN", message: "manifest unknown")
        }
        return FakeReply(
            status: 200, headers: [("Content-Type", type), ("Docker-Content-Digest", Digest.sha256(of: bytes).description)],
            body: bytes)
    }

    private func blob(_ request: FakeRequest, digest: String) -> FakeReply {
        guard let bytes = content.current.blobs[digest] else {
            return .error(404, code: "BLOB_UNKNOWN", message: "blob unknown")
        }
        if let range = request.headers["range"], !ignoreRange.current,
            let start = Int(range.dropFirst("bytes=".count).prefix { $0 != "-" }), start < bytes.count
        {
            return FakeReply(
                status: 206, headers: [("Content-Range", "bytes \(start)-\(bytes.count - 1)/\(bytes.count)")],
                body: Data(bytes.dropFirst(start)))
        }
        return FakeReply(status: 200, headers: [("Docker-Content-Digest", digest)], body: bytes)
    }

    private func upload(_ request: FakeRequest, id: String, base: String) -> FakeReply {
        switch request.method {
        case "POST":
            if let mounted = request.query("mount").first, content.current.blobs[mounted] != nil {
                return FakeReply(status: 201, headers: [("Location", "\(base.dropLast("uploads/".count))\(mounted)")])
            }
            let session = UUID().uuidString
            content.withLock { $0.uploads[session] = Data() }
            // Relative, with a query item of its own, as distribution sends `_state`.
            return FakeReply(status: 202, headers: [("Location", "\(base)\(session)?_state=abc"), ("Range", "0-0")])
        case "PATCH":
            guard var data = content.current.uploads[id] else { return .error(404, code: "BLOB_UPLOAD_UNKNOWN", message: "x") }
            if let range = request.headers["content-range"], Int(range.prefix { $0 != "-" }) != data.count {
                return .error(416, code: "BLOB_UPLOAD_INVALID", message: "bad range")
            }
            data.append(request.body)
            content.withLock { [data] in $0.uploads[id] = data }
            return FakeReply(status: 202, headers: [("Location", "\(base)\(id)?_state=def"), ("Range", "0-\(data.count - 1)")])
        case "GET":
            guard let data = content.current.uploads[id] else { return .error(404, code: "BLOB_UPLOAD_UNKNOWN", message: "x") }
            return FakeReply(status: 204, headers: [("Location", "\(base)\(id)"), ("Range", "0-\(max(0, data.count - 1))")])
        case "PUT":
            guard var data = content.current.uploads[id], let digest = request.query("digest").first,
                request.query("_state").isEmpty == false
            else { return .error(404, code: "BLOB_UPLOAD_UNKNOWN", message: "x") }
            data.append(request.body)
            guard Digest.sha256(of: data).description == digest else {
                return .error(400, code: "DIGEST_INVALID", message: "digest mismatch")
            }
            content.withLock { [data] in
                $0.blobs[digest] = data
                $0.uploads[id] = nil
            }
            return FakeReply(status: 201, headers: [("Docker-Content-Digest", digest)])
        default:
            return FakeReply(status: 405)
        }
    }
}

extension Locked where Value == Int {
    /// Adds one and returns the new count (a fault numbering the requests it sees).
    func increment() -> Int {
        withLock { (count: inout Int) -> Int in
            count += 1
            return count
        }
    }
}
