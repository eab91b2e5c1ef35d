// SPDX-License-Identifier: Apache-2.0
import Foundation
import HTTPTypes
import Hummingbird
import Layout

/// The token endpoint of the Docker token spec: `GET /token?service=&scope=...` with Basic credentials (or none,
/// for an anonymous token when anonymous read is on) answers `{"token","access_token","expires_in",
/// "issued_at"}`, granting of the requested actions only those the caller's rules allow.
///
/// Spec: https://distribution.github.io/distribution/spec/auth/token/
extension Authenticator {
    /// One requested scope, `type:name:actions` (e.g. `repository:team/app:pull,push`).
    struct Scope: Equatable {
        var type: String
        var name: String
        var actions: [String]

        /// Parses a scope; the name may itself contain `:` (the type is before the first, the actions after the
        /// last). A resource class (`repository(plugin)`) is dropped.
        init?(_ text: Substring) {
            guard let first = text.firstIndex(of: ":"), let last = text.lastIndex(of: ":"), first < last else {
                return nil
            }
            var type = String(text[..<first])
            if let parenthesis = type.firstIndex(of: "(") { type = String(type[..<parenthesis]) }
            name = String(text[text.index(after: first)..<last])
            actions = text[text.index(after: last)...].split(separator: ",").map(String.init)
            self.type = type
            guard !type.isEmpty, !name.isEmpty else { return nil }
        }
    }

    /// `GET /token`: Basic credentials (or none, for an anonymous token), `service` and `scope` in the query.
    func token(_ request: Request, client: String) async throws -> Response {
        let basicChallenge: HTTPFields = [.wwwAuthenticate: "Basic realm=\"ocitool\""]
        var credentials: (String, String)?
        if let header = request.headers[.authorization], let basic = Authenticator.credential(header, scheme: "Basic"),
            let (user, password) = Authenticator.decodeBasic(basic), !(user.isEmpty && password.isEmpty)
        {
            credentials = (user, password)
        }
        return try await issue(
            service: Registry.query(request, "service"), scopes: Registry.queryValues(request, "scope"),
            credentials: credentials, client: client, request: request,
            failure: OCIError(.unauthorized, "invalid username or password", headers: basicChallenge),
            oauth: false)
    }

    /// `POST /token`: the OAuth2 password grant some clients use (`grant_type=password&username=&password=
    /// &service=&scope=`, form-encoded). Refresh tokens are not issued, so other grants are refused.
    func oauthToken(_ request: Request, client: String) async throws -> Response {
        let buffer = try await request.body.collect(upTo: 64 << 10)
        let form = Authenticator.parseForm(String(buffer: buffer))
        guard form["grant_type"]?.first == "password" else {
            throw OCIError(
                .unsupported, "unsupported grant_type: use password (or GET /token with Basic credentials)",
                status: .badRequest)
        }
        guard let user = form["username"]?.first, let password = form["password"]?.first else {
            throw OCIError(.unauthorized, "username and password are required")
        }
        return try await issue(
            service: form["service"]?.first, scopes: form["scope"] ?? [], credentials: (user, password),
            client: client, request: request, failure: OCIError(.unauthorized, "invalid username or password"),
            oauth: true)
    }

    /// Checks the caller and signs a token with what it may have of the requested scopes.
    private func issue(
        service: String?, scopes requested: [String], credentials: (String, String)?, client: String,
        request: Request, failure: OCIError, oauth: Bool
    ) async throws -> Response {
        guard let token = configuration.token, let tokens else {
            throw OCIError(.unsupported, "no token service", status: .notFound)
        }
        if let service, service != token.service {
            throw OCIError(
                .unsupported, "unknown service '\(service)': this registry is '\(token.service)'", status: .badRequest)
        }
        let identity: Identity
        if let (user, password) = credentials {
            try await login(user: user, password: password, client: client, request: request, failure: failure)
            identity = .user(user)
        } else if configuration.anonymousRead {
            identity = .anonymous
        } else {
            throw OCIError(
                .unauthorized, "credentials required", headers: [.wwwAuthenticate: "Basic realm=\"ocitool\""])
        }
        let scopes = requested.flatMap { $0.split(separator: " ") }.compactMap(Scope.init)
        let now = Date()
        let seconds = Int64(now.timeIntervalSince1970)
        let expiry = Int64(token.expiry.seconds)
        let granted = scopes.compactMap { grant($0, to: identity) }
        let claims = RegistryToken.Claims(
            iss: token.issuer, sub: identity.user ?? "", aud: token.service, exp: seconds + expiry, nbf: seconds,
            iat: seconds, jti: UUID().uuidString, access: granted)
        let signed = tokens.sign(claims)
        let body = TokenResponse(
            token: oauth ? nil : signed, access_token: signed, expires_in: expiry,
            issued_at: Date.ISO8601FormatStyle().format(now),
            scope: oauth ? granted.map { "\($0.type):\($0.name):\($0.actions.joined(separator: ","))" }
                .joined(separator: " ") : nil)
        return .json(try JSONEncoder.ocitool.encode(body), headers: [.cacheControl: "no-store"])
    }

    /// `application/x-www-form-urlencoded` pairs (`+` is a space), values by name in order.
    static func parseForm(_ text: String) -> [String: [String]] {
        var values: [String: [String]] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ text: Substring) -> String {
                text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(text)
            }
            values[decode(parts[0]), default: []].append(parts.count > 1 ? decode(parts[1]) : "")
        }
        return values
    }

    /// The part of a requested scope the caller may have (nil: nothing).
    func grant(_ scope: Scope, to identity: Identity) -> RegistryToken.Access? {
        switch scope.type {
        case "repository":
            guard (try? DistributionRoute(path: "/v2/\(scope.name)/tags/list")) != nil else { return nil }
            let allowed = access.actions(for: identity.user, on: scope.name)
            let granted = Action.allCases.filter { action in
                allowed.contains(action) && (scope.actions.contains(action.rawValue) || scope.actions.contains("*"))
            }
            guard !granted.isEmpty else { return nil }
            return RegistryToken.Access(type: "repository", name: scope.name, actions: granted.map(\.rawValue))
        case "registry" where scope.name == "catalog":
            guard access.mayListCatalog(identity.user) else { return nil }
            return RegistryToken.Access(type: "registry", name: "catalog", actions: ["*"])
        default:
            return nil
        }
    }

    /// The token endpoint's answer (`token` for the Docker token spec, `scope` for OAuth2).
    private struct TokenResponse: Encodable {
        // swiftlint:disable identifier_name
        let token: String?
        let access_token: String
        let expires_in: Int64
        let issued_at: String
        let scope: String?
        // swiftlint:enable identifier_name
    }
}
