// SPDX-License-Identifier: Apache-2.0
import CurlTransport
import Foundation
import Layout

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
        probeChallenge()
        let state = authState.current
        if state.basic, let credentials = configuration.credentials { return credentials.basicAuthorization }
        if let token = RegistryClient.cachedToken(covering: scopes, in: state) { return "Bearer \(token)" }
        if let challenge = state.challenge, challenge.scheme == .bearer {
            return "Bearer \(try fetchToken(challenge, scopes: scopes, rejected: nil))"
        }
        return nil
    }

    /// Learns the registry's challenge before the first authenticated request (`GET /v2/`, as docker does), so
    /// parallel first requests carry credentials instead of each collecting a 401. Best effort: when the probe
    /// fails, requests go out without credentials and answer their own challenges.
    private func probeChallenge() {
        guard !authState.current.probed else { return }
        probeLock.lock()
        defer { probeLock.unlock() }
        guard !authState.current.probed else { return }
        var request = RegistryRequest(method: "GET", url: baseURL, context: "connecting to \(registry)")
        request.authenticate = false
        let response = try? exchange(request, .collect(limit: RegistryClient.errorBodyLimit))
        let challenge = response?.status == 401
            ? AuthChallenge.parse(response?.headers.values("WWW-Authenticate") ?? []) : nil
        authState.withLock { state in
            state.probed = true
            if let challenge, state.challenge == nil {
                state.challenge = challenge
                state.basic = challenge.scheme == .basic && configuration.credentials != nil
            }
        }
    }

    /// Answers a 401: switches to Basic, or gets a token for the challenge other than the one rejected (a token
    /// another thread fetched meanwhile, else a fresh one).
    /// - Parameter rejected: the `Authorization` value the registry refused, if any was sent.
    func answerChallenge(_ response: RegistryResponse, scopes: [String], rejected: String?) throws(SyncError) {
        guard let challenge = AuthChallenge.parse(response.headers.values("WWW-Authenticate")) else {
            throw .authenticationFailed(
                host: registry, reason: "the registry answered 401 without a Basic or Bearer challenge")
        }
        switch challenge.scheme {
        case .basic:
            guard let credentials = configuration.credentials else {
                throw .authenticationFailed(host: registry, reason: "the registry requires credentials")
            }
            guard rejected != credentials.basicAuthorization else { throw self.rejected(response, scopes: scopes) }
            authState.withLock {
                $0.basic = true
                $0.challenge = challenge
            }
        case .bearer:
            authState.withLock { $0.challenge = challenge }
            var wanted = scopes
            if let scope = challenge.parameters["scope"], !wanted.contains(scope) { wanted.append(scope) }
            _ = try fetchToken(challenge, scopes: wanted, rejected: rejected)
        }
    }

    /// The error for a request still refused after its challenge was answered: a token granted without the
    /// scope the request needs (`error="insufficient_scope"`) means the user lacks the permission.
    func rejected(_ response: RegistryResponse, scopes: [String]) -> SyncError {
        let (_, message) = RegistryClient.describeErrorBody(response.body)
        let detail = message.isEmpty ? "" : " (\(message))"
        guard let credentials = configuration.credentials else {
            return .authenticationFailed(host: registry, reason: "the registry requires credentials\(detail)")
        }
        let challenge = AuthChallenge.parse(response.headers.values("WWW-Authenticate"))
        if challenge?.parameters["error"] == "insufficient_scope" {
            return denied(credentials.username, scopes: scopes, detail: detail)
        }
        let what = scopes.isEmpty ? "" : " for \(scopes.joined(separator: " "))"
        return .authenticationFailed(
            host: registry, reason: "the registry rejected the credentials of \(credentials.username)\(what)\(detail)")
    }

    /// `.accessDenied` saying what `user` may not do: "alice may not push to team/app".
    func denied(_ user: String, scopes: [String], detail: String) -> SyncError {
        let wants = scopes.compactMap { scope -> String? in
            let parts = scope.split(separator: ":")
            guard parts.count == 3, parts[0] == "repository" else { return nil }
            let actions = parts[2].split(separator: ",")
            let name = parts[1]
            if actions.contains("push") { return "push to \(name)" }
            return actions.contains("delete") ? "delete in \(name)" : "pull \(name)"
        }
        let what = wants.isEmpty ? "do this" : wants.joined(separator: " or ")
        return .accessDenied(host: registry, reason: "\(user) may not \(what)\(detail)")
    }

    /// A cached token covering `scopes` other than the `rejected` one, else a new one from the challenge's
    /// realm. One fetch at a time: threads that were refused together share the token the first one gets.
    func fetchToken(_ challenge: AuthChallenge, scopes: [String], rejected: String?) throws(SyncError) -> String {
        tokenLock.lock()
        defer { tokenLock.unlock() }
        if let token = RegistryClient.cachedToken(covering: scopes, in: authState.current),
            "Bearer \(token)" != rejected
        {
            return token
        }
        // Credentials go to the token server, so only over TLS unless the registry itself is plain HTTP.
        if let realm = challenge.realm, realm.lowercased().hasPrefix("http://"), !configuration.plainHTTP {
            throw .authenticationFailed(
                host: registry, reason: "the token server \(realm) is plain HTTP while the registry uses HTTPS")
        }
        guard let realm = challenge.realm, var components = URLComponents(string: realm), components.host != nil else {
            throw .authenticationFailed(host: registry, reason: "the Bearer challenge has no valid realm")
        }
        if let identityToken = configuration.credentials?.identityToken {
            return try fetchOAuthToken(realm: realm, host: components.host, challenge, scopes: scopes, identityToken)
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
        let who = configuration.credentials.map { "the credentials of \($0.username)" } ?? "anonymous access"
        return try token(
            from: send(request), request, refusals: [401, 403], scopes: scopes, realm: realm,
            refused: "the token server \(components.host ?? realm) rejected \(who)")
    }

    /// The token a token server answered with, cached for `scopes`; a refusal (one of `refusals`) is an
    /// authentication failure saying what was `refused`, anything else unsuccessful a registry failure.
    private func token(
        from response: RegistryResponse, _ request: RegistryRequest, refusals: Set<Int>, scopes: [String],
        realm: String, refused: String
    ) throws(SyncError) -> String {
        guard response.isSuccess else {
            guard refusals.contains(response.status) else { throw failure(response, context: request.context) }
            let (_, message) = RegistryClient.describeErrorBody(response.body)
            throw .authenticationFailed(
                host: registry, reason: "\(refused) (\(response.status)" + (message.isEmpty ? ")" : ": \(message))"))
        }
        let token = try parseToken(response.body, scopes: scopes, realm: realm)
        authState.withLock { $0.tokens[RegistryClient.tokenKey(scopes)] = token }
        return token.value
    }

    /// An access token for an identity token (OAuth2 refresh token), as docker gets one: `POST` to the realm
    /// with the form `grant_type=refresh_token`, `refresh_token`, `service`, `scope` (space-separated),
    /// `client_id`. Called with `tokenLock` held.
    private func fetchOAuthToken(
        realm: String, host: String?, _ challenge: AuthChallenge, scopes: [String], _ identityToken: String
    ) throws(SyncError) -> String {
        var fields = [("grant_type", "refresh_token"), ("client_id", "ocitool"), ("refresh_token", identityToken)]
        if let service = challenge.service { fields.append(("service", service)) }
        if !scopes.isEmpty { fields.append(("scope", scopes.joined(separator: " "))) }
        // Everything but the unreserved characters escaped, so `+`, `&` and `=` in a token survive.
        let unreserved = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
        let body = fields.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: unreserved) ?? "")" }
            .joined(separator: "&")
        var request = RegistryRequest(method: "POST", url: realm, context: "fetching a token from \(realm)")
        request.authenticate = false
        request.headers.append("Content-Type: application/x-www-form-urlencoded")
        request.body = .data(Data(body.utf8))
        return try token(
            from: send(request), request, refusals: [400, 401, 403], scopes: scopes, realm: realm,
            refused: "the token server \(host ?? realm) rejected the identity token")
    }

    /// `{"token": "…", "access_token": "…", "expires_in": 300}`; tokens without `expires_in` last 60 s.
    private func parseToken(_ body: Data, scopes: [String], realm: String) throws(SyncError) -> BearerToken {
        guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any],
            let value = (object["token"] as? String) ?? (object["access_token"] as? String), !value.isEmpty
        else {
            throw .authenticationFailed(host: registry, reason: "the token server \(realm) sent no token")
        }
        let lifetime = (object["expires_in"] as? NSNumber)?.doubleValue ?? 60
        // Renew a little early, so a token never expires on its way to the registry.
        return BearerToken(value: value, scopes: scopes, expires: Date().addingTimeInterval(max(1, lifetime - 5)))
    }

    static func tokenKey(_ scopes: [String]) -> String { scopes.sorted().joined(separator: " ") }

    /// An unexpired token granted for scopes that include `scopes` (a `pull,push` token serves pulls too).
    static func cachedToken(covering scopes: [String], in state: AuthState) -> String? {
        let now = Date()
        if let exact = state.tokens[tokenKey(scopes)], exact.expires > now { return exact.value }
        return state.tokens.values.first { token in
            token.expires > now && scopes.allSatisfy { wanted in token.scopes.contains { covers($0, wanted) } }
        }?.value
    }

    /// Whether scope `granted` (`repository:NAME:pull,push`) includes `wanted`: same resource, more actions.
    static func covers(_ granted: String, _ wanted: String) -> Bool {
        guard let grantedColon = granted.lastIndex(of: ":"), let wantedColon = wanted.lastIndex(of: ":"),
            granted[..<grantedColon] == wanted[..<wantedColon]
        else { return false }
        let actions = Set(granted[granted.index(after: grantedColon)...].split(separator: ","))
        return wanted[wanted.index(after: wantedColon)...].split(separator: ",").allSatisfy(actions.contains)
    }
}
