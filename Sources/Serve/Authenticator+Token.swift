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

    /// `GET /token`.
    func token(_ request: Request, client: String) async throws -> Response {
        guard let token = configuration.token, let tokens else {
            throw OCIError(.unsupported, "no token service", status: .notFound)
        }
        if let service = Registry.query(request, "service"), service != token.service {
            throw OCIError(
                .unsupported, "unknown service '\(service)': this registry is '\(token.service)'", status: .badRequest)
        }
        let identity: Identity
        if let header = request.headers[.authorization], let basic = Authenticator.credential(header, scheme: "Basic"),
            let (user, password) = Authenticator.decodeBasic(basic), !(user.isEmpty && password.isEmpty)
        {
            try await login(
                user: user, password: password, client: client, request: request,
                failure: OCIError(
                    .unauthorized, "invalid username or password",
                    headers: [.wwwAuthenticate: "Basic realm=\"ocitool\""]))
            identity = .user(user)
        } else if configuration.anonymousRead {
            identity = .anonymous
        } else {
            throw OCIError(
                .unauthorized, "credentials required", headers: [.wwwAuthenticate: "Basic realm=\"ocitool\""])
        }
        let scopes = Registry.queryValues(request, "scope").flatMap { $0.split(separator: " ") }.compactMap(Scope.init)
        let now = Date()
        let seconds = Int64(now.timeIntervalSince1970)
        let expiry = Int64(token.expiry.seconds)
        let claims = RegistryToken.Claims(
            iss: token.issuer, sub: identity.user ?? "", aud: token.service, exp: seconds + expiry, nbf: seconds,
            iat: seconds, jti: UUID().uuidString, access: scopes.compactMap { grant($0, to: identity) })
        let signed = tokens.sign(claims)
        let body = TokenResponse(
            token: signed, access_token: signed, expires_in: expiry,
            issued_at: ISO8601DateFormatter().string(from: now))
        return .json(try JSONEncoder.ocitool.encode(body), headers: [.cacheControl: "no-store"])
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

    /// The token endpoint's answer.
    private struct TokenResponse: Encodable {
        // swiftlint:disable identifier_name
        let token: String
        let access_token: String
        let expires_in: Int64
        let issued_at: String
        // swiftlint:enable identifier_name
    }
}
