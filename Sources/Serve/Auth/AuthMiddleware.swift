// SPDX-License-Identifier: Apache-2.0
import HTTPTypes
import Hummingbird

/// Authenticates and authorizes every `/v2` request (other paths — `/token`, health, metrics — pass). Records
/// the user for the access log and, for the catalog, which repositories the caller may see. A cross-repository
/// mount from a repository the caller may not pull, or without `from`, becomes a plain upload (as in
/// distribution).
struct AuthMiddleware: RouterMiddleware {
    typealias Context = RegistryRequestContext

    let authenticator: Authenticator

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        let path = request.uri.path
        guard path == "/v2" || path.hasPrefix("/v2/") else { return try await next(request, context) }
        let requirement = AuthMiddleware.requirement(method: request.method, path: path)
        let identity = try await authenticator.identify(request, client: context.client, requirement: requirement)
        context.state.user = identity.user
        try authenticator.authorize(identity, requirement, request: request)
        switch requirement {
        case .catalog:
            let authenticator = self.authenticator
            context.state.visible = { authenticator.mayPull(identity, $0) }
        case .repository:
            // A mount needs pull access to its source; without `from` (a mount from whichever repository has
            // the blob) the source is unknown, so with auth on it is never a mount.
            if Registry.query(request, "mount") != nil,
                !(Registry.query(request, "from").map { authenticator.mayPull(identity, $0) } ?? false)
            {
                return try await next(AuthMiddleware.withoutMount(request), context)
            }
        default:
            break
        }
        return try await next(request, context)
    }

    /// What a request needs: reads need pull, writes (uploads, manifest PUT) pull and push, deletes delete.
    static func requirement(method: HTTPRequest.Method, path: String) -> Authenticator.Requirement {
        if path == "/v2" || path == "/v2/" { return .ping }
        guard let route = try? DistributionRoute(path: path) else { return .other }
        guard let name = route.name else { return .catalog }
        switch method {
        case .get, .head:
            return .repository(name, [.pull])
        case .delete:
            if case .upload = route { return .repository(name, [.pull, .push]) }
            return .repository(name, [.delete])
        default:
            return .repository(name, [.pull, .push])
        }
    }

    /// The request without `mount` and `from` (the client then uploads the blob).
    static func withoutMount(_ request: Request) -> Request {
        var head = request.head
        let kept = request.uri.queryParameters.filter { $0.key != "mount" && $0.key != "from" }
            .map { "\($0.key)=\(Registry.percentEncode(String($0.value)))" }
        head.path = request.uri.path + (kept.isEmpty ? "" : "?" + kept.joined(separator: "&"))
        return Request(head: head, body: request.body)
    }
}
