// SPDX-License-Identifier: Apache-2.0
import Foundation
import HTTPTypes
import Hummingbird
import Layout
import Logging

/// The distribution API over a store: one value shared by every request, dispatching a parsed
/// `DistributionRoute` to its handler. Handlers call Layout for everything that touches the store; every call
/// that may block (a layout's lock, an fsync, hashing or copying a whole blob, a walk of the store) runs on `io`,
/// never on the cooperative threads handlers run on. Reads served from the caches, blob downloads and upload
/// chunks written to the page cache stay on them.
///
/// Spec: https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md
struct Registry: Sendable {
    let store: Store
    let configuration: ServeConfiguration
    /// Where blocking store work runs.
    let io: StoreIO
    let sessions: UploadSessions
    let indexes = IndexCache()
    let manifests = ManifestCache()
    let manifestResponses = ManifestResponseCache()
    /// The trust policy (`trust:`), nil when no repository is gated; its verdicts per digest.
    let trust: TrustPolicy?
    let verdicts = TrustVerdicts()
    /// Vulnerability scanning and the pull policy, when configured.
    var scanning: ScanService?

    init(store: Store, configuration: ServeConfiguration, io: StoreIO = StoreIO(), trust: TrustPolicy? = nil) {
        self.store = store
        self.configuration = configuration
        self.io = io
        self.trust = trust
        self.sessions = UploadSessions(
            store: store, expiry: configuration.uploadExpiry.seconds, limits: configuration.uploadLimits, runner: io)
    }

    /// Answers one /v2 request.
    func respond(to request: Request, context: some RequestContext) async throws -> Response {
        let path = request.uri.path
        let method = request.method
        if method == .get || method == .head, let response = manifestResponses.response(to: request, path: path),
            try allowedFromCache(response, path: path)
        {
            return response
        }
        if path == "/v2" || path == "/v2/" { return ping(request) }
        let route = try DistributionRoute(path: path, method: method)
        if configuration.readOnly, method != .get, method != .head, !route.isScan {
            throw OCIError(.unsupported, "this registry is read-only")
        }
        switch (route, method) {
        case (.catalog, .get):
            return try await catalog(request, visible: (context as? RegistryRequestContext)?.state.visible)
        case (.tags(let name), .get):
            return try tags(name, request: request)
        case (.referrers(let name, let digest), .get):
            return try referrers(name, digest: digest, request: request)
        case (.manifest(let name, let reference), .get), (.manifest(let name, let reference), .head):
            return try await getManifest(name, reference: reference, request: request)
        case (.manifest(let name, let reference), .put):
            return try await putManifest(name, reference: reference, request: request)
        case (.manifest(let name, let reference), .delete):
            return try await deleteManifest(name, reference: reference)
        case (.blob(let name, let digest), .get), (.blob(let name, let digest), .head):
            return try await getBlob(name, digest: digest, request: request, context: context)
        case (.blob(let name, let digest), .delete):
            return try await deleteBlob(name, digest: digest)
        case (.uploads(let name), .post):
            return try await startUpload(name, request: request)
        case (.upload(let name, let id), .get):
            return try await uploadStatus(name, id: id)
        case (.upload(let name, let id), .patch):
            return try await patchUpload(name, id: id, request: request)
        case (.upload(let name, let id), .put):
            return try await finishUpload(name, id: id, request: request)
        case (.upload(let name, let id), .delete):
            return try await cancelUpload(name, id: id)
        case (.scan(let name, let reference), .get):
            return try await scanResult(name, reference: reference)
        case (.scan(let name, let reference), .post):
            return try await triggerScan(name, reference: reference)
        case (.scanSummary(let name), .get):
            return try await scanSummary(name)
        default:
            throw OCIError(.unsupported, "\(method.rawValue) is not supported on \(path)")
        }
    }

    /// `GET /v2/`: the registry implements the spec.
    private func ping(_ request: Request) -> Response {
        .json(Data("{}".utf8), head: request.method == .head)
    }

    /// Refuses a DELETE when deletes are disabled.
    func requireDeletes() throws(OCIError) {
        guard configuration.deleteEnabled else { throw OCIError(.unsupported, "deletes are disabled on this registry") }
    }

    /// The query parameter `name`, percent-decoded.
    static func query(_ request: Request, _ name: String) -> String? {
        request.uri.queryParameters[Substring(name)].map(String.init)
    }

    /// All values of the query parameter `name`.
    static func queryValues(_ request: Request, _ name: String) -> [String] {
        request.uri.queryParameters[values: Substring(name)].map(String.init)
    }

    /// A digest from a path component or query parameter (400 DIGEST_INVALID when malformed).
    static func digest(_ text: String) throws(OCIError) -> Digest {
        do { return try Digest(text) } catch { throw OCIError(.digestInvalid, error.description) }
    }
}

extension Response {
    /// A response without a body (Content-Length 0 unless given).
    static func empty(_ status: HTTPResponse.Status, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        if headers[.contentLength] == nil { headers[.contentLength] = "0" }
        return Response(status: status, headers: headers, body: ResponseBody())
    }

    /// A JSON body (or, for HEAD, only its headers).
    static func json(
        _ data: Data, contentType: String = "application/json", head: Bool = false, headers: HTTPFields = [:]
    ) -> Response {
        var headers = headers
        headers[.contentType] = contentType
        headers[.contentLength] = String(data.count)
        if head { return Response(status: .ok, headers: headers, body: ResponseBody()) }
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
