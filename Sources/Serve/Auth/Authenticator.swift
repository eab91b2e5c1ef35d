// SPDX-License-Identifier: Apache-2.0
import Foundation
import HTTPTypes
import Hummingbird
import Layout
import Logging

/// Who a request comes from, and whether it may do what it asks: Basic credentials checked against the
/// htpasswd file, bearer tokens checked against their signature, access decided by `AccessControl` (Basic) or
/// by the token's grants (Bearer).
///
/// Answers, as Docker clients expect them: 401 UNAUTHORIZED with a `WWW-Authenticate` challenge (`Bearer
/// realm=...,service=...,scope=...` when the token service is on, else `Basic realm="ocitool"`) when
/// credentials are missing, wrong, or a token lacks the scope; 403 DENIED when an authenticated user's rules
/// do not allow the action; 429 TOOMANYREQUESTS with `Retry-After` once a client failed to log in too often.
struct Authenticator: Sendable {
    typealias Action = AuthConfiguration.Action

    /// A request's caller.
    enum Identity: Sendable {
        case anonymous
        case user(String)
        case token(RegistryToken.Claims)

        /// The user name (nil when anonymous, or for an anonymous token).
        var user: String? {
            switch self {
            case .anonymous: nil
            case .user(let name): name
            case .token(let claims): claims.sub.isEmpty ? nil : claims.sub
            }
        }
    }

    /// What a request needs.
    enum Requirement: Equatable {
        /// `GET /v2/`: any valid credentials.
        case ping
        /// `GET /v2/_catalog`.
        case catalog
        /// Actions on a repository.
        case repository(String, Set<Action>)
        /// A path that is no endpoint: valid credentials, or anonymous read (the handler reports the error).
        case other
    }

    let configuration: AuthConfiguration
    let access: AccessControl
    let htpasswd: Htpasswd
    let tokens: RegistryToken?
    let failedLogins: ClientLimiter
    let scheme: String
    let logger: Logger
    let metrics: ServeMetrics?

    init(
        _ configuration: AuthConfiguration, scheme: String, logger: Logger, metrics: ServeMetrics?
    ) throws(ConfigurationError) {
        self.configuration = configuration
        access = AccessControl(configuration: configuration)
        htpasswd = try Htpasswd(path: configuration.htpasswd)
        tokens = configuration.token.map {
            RegistryToken(secret: $0.secret, issuer: $0.issuer, audience: $0.service)
        }
        failedLogins = ClientLimiter(
            .window(limit: configuration.failedLoginLimit, window: configuration.failedLoginWindow))
        self.scheme = scheme
        self.logger = logger
        self.metrics = metrics
    }

    /// The caller of a request.
    /// - Throws: 401 for wrong credentials or an invalid token; 429 when the client failed too often.
    func identify(_ request: Request, client: String, requirement: Requirement) async throws(OCIError) -> Identity {
        guard let header = request.headers[.authorization] else { return .anonymous }
        if let token = Authenticator.credential(header, scheme: "Bearer"), let tokens {
            guard let claims = tokens.verify(token) else {
                throw challenge(
                    request, requirement, message: "the token is invalid or expired", error: "invalid_token")
            }
            return .token(claims)
        }
        guard let basic = Authenticator.credential(header, scheme: "Basic") else {
            throw challenge(request, requirement, message: "unsupported Authorization scheme")
        }
        guard let (user, password) = Authenticator.decodeBasic(basic) else {
            throw challenge(request, requirement, message: "malformed Basic credentials")
        }
        // Some clients send empty Basic credentials when they have none.
        if user.isEmpty, password.isEmpty { return .anonymous }
        try await login(
            user: user, password: password, client: client, request: request,
            failure: challenge(request, requirement, message: "invalid username or password"))
        return .user(user)
    }

    /// Checks a user's password, counting failures per client.
    /// - Throws: `failure` when the password is wrong; 429 when the client failed too often.
    func login(
        user: String, password: String, client: String, request: Request, failure: OCIError
    )
        async throws(OCIError)
    {
        if let wait = failedLogins.blocked(client) {
            metrics?.rateLimited(reason: "login")
            throw OCIError(
                .tooManyRequests, "too many failed logins from \(client); retry later",
                headers: [.retryAfter: wait.retryAfter])
        }
        guard await htpasswd.verify(user: user, password: password) else {
            failedLogins.record(client)
            metrics?.failedLogin()
            logger.warning(
                "failed login",
                metadata: ["user": "\(user)", "client": "\(client)", "path": "\(request.uri.path)"])
            throw failure
        }
    }

    /// Fails unless `identity` may do what `requirement` says.
    func authorize(_ identity: Identity, _ requirement: Requirement, request: Request) throws(OCIError) {
        switch (identity, requirement) {
        case (.anonymous, .ping):
            throw challenge(request, requirement, message: "authentication required")
        case (_, .ping):
            return
        case (.anonymous, .catalog), (.anonymous, .other):
            guard configuration.anonymousRead else {
                throw challenge(request, requirement, message: "authentication required")
            }
        case (.user, .catalog), (.user, .other):
            return
        case (.token(let claims), .catalog):
            guard claims.actions(type: "registry", name: "catalog").contains(where: { $0 == "*" || $0 == "pull" })
            else {
                throw challenge(
                    request, requirement, message: "the token does not grant the catalog", error: "insufficient_scope")
            }
        case (.token, .other):
            return
        case (.anonymous, .repository(let name, let actions)):
            guard actions.isSubset(of: access.actions(for: nil, on: name)) else {
                throw challenge(request, requirement, message: "authentication required")
            }
        case (.user(let user), .repository(let name, let actions)):
            guard actions.isSubset(of: access.actions(for: user, on: name)) else {
                throw OCIError(.denied, "requested access to the resource is denied")
            }
        case (.token(let claims), .repository(let name, let actions)):
            let granted = claims.actions(type: "repository", name: name)
            guard actions.allSatisfy({ granted.contains($0.rawValue) || granted.contains("*") }) else {
                throw challenge(
                    request, requirement, message: "the token does not grant \(Authenticator.scope(requirement) ?? "")",
                    error: "insufficient_scope")
            }
        }
    }

    /// Whether `identity` may pull `repository` (a cross-repository mount's source, a catalog entry).
    func mayPull(_ identity: Identity, _ repository: String) -> Bool {
        switch identity {
        case .anonymous: access.actions(for: nil, on: repository).contains(.pull)
        case .user(let user): access.actions(for: user, on: repository).contains(.pull)
        case .token(let claims):
            claims.actions(type: "repository", name: repository).contains { $0 == "pull" || $0 == "*" }
        }
    }

    /// 401 UNAUTHORIZED with the challenge Docker clients expect.
    func challenge(_ request: Request, _ requirement: Requirement, message: String, error: String? = nil) -> OCIError {
        var value: String
        if let token = configuration.token {
            let realm = token.realm ?? "\(scheme)://\(request.head.authority ?? "localhost")/token"
            value = "Bearer realm=\"\(realm)\",service=\"\(token.service)\""
            if let scope = Authenticator.scope(requirement) { value += ",scope=\"\(scope)\"" }
            if let error { value += ",error=\"\(error)\"" }
        } else {
            value = "Basic realm=\"ocitool\""
        }
        return OCIError(.unauthorized, message, headers: [.wwwAuthenticate: value])
    }

    /// The token scope a requirement needs, e.g. `repository:team/app:pull,push`.
    static func scope(_ requirement: Requirement) -> String? {
        switch requirement {
        case .ping, .other: nil
        case .catalog: "registry:catalog:*"
        case .repository(let name, let actions):
            "repository:\(name):" + actions.sorted().map(\.rawValue).joined(separator: ",")
        }
    }

    /// The credential after `scheme ` in an Authorization header (scheme compared case-insensitively).
    static func credential(_ header: String, scheme: String) -> String? {
        guard header.count > scheme.count + 1, header.prefix(scheme.count).lowercased() == scheme.lowercased(),
            header.dropFirst(scheme.count).first == " "
        else { return nil }
        return header.dropFirst(scheme.count + 1).trimmingWhitespace()
    }

    /// `user:password` from base64.
    static func decodeBasic(_ credential: String) -> (String, String)? {
        guard let data = Data(base64Encoded: credential) else { return nil }
        let text = String(decoding: data, as: UTF8.self)
        guard let colon = text.firstIndex(of: ":") else { return nil }
        return (String(text[..<colon]), String(text[text.index(after: colon)...]))
    }
}
