// SPDX-License-Identifier: Apache-2.0
import Foundation

/// Authentication: Basic, and the Bearer token flow of distribution's token auth.
///
/// Spec: https://distribution.github.io/distribution/spec/auth/token/
/// A 401 carries `WWW-Authenticate: Bearer realm="…",service="…",scope="…"`; the client GETs the realm with
/// `service` and one `scope` per repository action set (with Basic credentials when it has any), takes `token`
/// (or `access_token`) from the JSON answer and sends `Authorization: Bearer TOKEN`. Tokens are cached per
/// scope set until they expire and fetched again on a 401.
extension RegistryClient {
    /// Checks that the registry accepts this client's credentials (or anonymous access): `GET /v2/`, answering
    /// any challenge. Used by `login` before storing credentials.
    /// - Throws: `.authenticationFailed` when the credentials are rejected; `.unreachable` and friends.
    public func checkAuthentication() throws(SyncError) {
        let request = RegistryRequest(method: "GET", url: baseURL, context: "checking access to \(registry)")
        let response = try send(request)
        guard response.isSuccess else { throw failure(response, context: request.context) }
    }

    /// The `Authorization` value for a request needing `scopes`, if any is known.
    func authorization(for scopes: [String]) throws(SyncError) -> String? {
        let state = authState.current
        if state.basic, let credentials = configuration.credentials { return credentials.basicAuthorization }
        if let token = state.tokens[RegistryClient.tokenKey(scopes)], token.expires > Date() {
            return "Bearer \(token.value)"
        }
        if let challenge = state.challenge, challenge.scheme == .bearer {
            return "Bearer \(try fetchToken(challenge, scopes: scopes, force: false))"
        }
        return nil
    }

    /// Answers a 401: switches to Basic, or fetches a fresh token for the challenge.
    func answerChallenge(_ response: RegistryResponse, scopes: [String]) throws(SyncError) {
        guard let challenge = AuthChallenge.parse(response.headers.values("WWW-Authenticate")) else {
            throw .authenticationFailed(
                host: registry, reason: "the registry answered 401 without a Basic or Bearer challenge")
        }
        switch challenge.scheme {
        case .basic:
            guard configuration.credentials != nil else {
                throw .authenticationFailed(host: registry, reason: "the registry requires credentials")
            }
            guard !authState.current.basic else { throw rejected(response, scopes: scopes) }
            authState.withLock {
                $0.basic = true
                $0.challenge = challenge
            }
        case .bearer:
            authState.withLock { $0.challenge = challenge }
            var wanted = scopes
            if let scope = challenge.parameters["scope"], !wanted.contains(scope) { wanted.append(scope) }
            _ = try fetchToken(challenge, scopes: wanted, key: RegistryClient.tokenKey(scopes), force: true)
        }
    }

    /// The error for a request still refused after its challenge was answered.
    func rejected(_ response: RegistryResponse, scopes: [String]) -> SyncError {
        let (_, message) = RegistryClient.describeErrorBody(response.body)
        let detail = message.isEmpty ? "" : " (\(message))"
        guard let credentials = configuration.credentials else {
            return .authenticationFailed(host: registry, reason: "the registry requires credentials\(detail)")
        }
        let what = scopes.isEmpty ? "" : " for \(scopes.joined(separator: " "))"
        return .authenticationFailed(
            host: registry, reason: "the registry rejected the credentials of \(credentials.username)\(what)\(detail)")
    }

    /// The cached token for `key` (scopes sorted), fetching one from the challenge's realm when there is none,
    /// it has expired, or `force` is set.
    func fetchToken(_ challenge: AuthChallenge, scopes: [String], key: String? = nil, force: Bool) throws(SyncError)
        -> String
    {
        let key = key ?? RegistryClient.tokenKey(scopes)
        tokenLock.lock()
        defer { tokenLock.unlock() }
        if !force, let token = authState.current.tokens[key], token.expires > Date() { return token.value }
        guard let realm = challenge.realm, var components = URLComponents(string: realm), components.host != nil else {
            throw .authenticationFailed(host: registry, reason: "the Bearer challenge has no valid realm")
        }
        var items = components.queryItems ?? []
        if let service = challenge.service { items.append(URLQueryItem(name: "service", value: service)) }
        for scope in scopes { items.append(URLQueryItem(name: "scope", value: scope)) }
        if let credentials = configuration.credentials {
            items.append(URLQueryItem(name: "account", value: credentials.username))
        }
        components.queryItems = items.isEmpty ? nil : items
        guard let url = components.string else {
            throw .authenticationFailed(host: registry, reason: "cannot build a token request from realm \(realm)")
        }
        var request = RegistryRequest(method: "GET", url: url, context: "fetching a token from \(realm)")
        request.authenticate = false
        if let credentials = configuration.credentials {
            request.headers.append("Authorization: \(credentials.basicAuthorization)")
        }
        let response = try send(request)
        guard response.isSuccess else {
            guard response.status == 401 || response.status == 403 else {
                throw failure(response, context: request.context)
            }
            let (_, message) = RegistryClient.describeErrorBody(response.body)
            let who = configuration.credentials.map { "the credentials of \($0.username)" } ?? "anonymous access"
            throw .authenticationFailed(
                host: registry,
                reason: "the token server \(components.host ?? realm) rejected \(who) (\(response.status)"
                    + (message.isEmpty ? ")" : ": \(message))"))
        }
        let token = try parseToken(response.body, realm: realm)
        authState.withLock { $0.tokens[key] = token }
        return token.value
    }

    /// `{"token": "…", "access_token": "…", "expires_in": 300}`; tokens without `expires_in` last 60 s.
    private func parseToken(_ body: Data, realm: String) throws(SyncError) -> BearerToken {
        guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any],
            let value = (object["token"] as? String) ?? (object["access_token"] as? String), !value.isEmpty
        else {
            throw .authenticationFailed(host: registry, reason: "the token server \(realm) sent no token")
        }
        let lifetime = (object["expires_in"] as? NSNumber)?.doubleValue ?? 60
        // Renew a little early, so a token never expires on its way to the registry.
        return BearerToken(value: value, expires: Date().addingTimeInterval(max(1, lifetime - 5)))
    }

    static func tokenKey(_ scopes: [String]) -> String { scopes.sorted().joined(separator: " ") }
}
