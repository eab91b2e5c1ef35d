// SPDX-License-Identifier: Apache-2.0
import OCICrypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Layout
import Testing

@testable import Serve

/// The bearer token flow of the Docker token spec: challenge, token endpoint, retry with the token.
@Suite("Serve: token service")
struct TokenAuthTests {
    /// The parameters of a `Bearer realm="...",service="...",scope="..."` challenge.
    static func challenge(_ header: String?) -> [String: String] {
        guard let header, header.hasPrefix("Bearer ") else { return [:] }
        var values: [String: String] = [:]
        for part in header.dropFirst(7).split(separator: "\",") {
            let pair = part.split(separator: "=", maxSplits: 1)
            guard pair.count == 2 else { continue }
            values[String(pair[0])] = pair[1].replacingOccurrences(of: "\"", with: "")
        }
        return values
    }

    struct TokenResponse: Decodable {
        let token: String
        let access_token: String  // swiftlint:disable:this identifier_name
        let expires_in: Int  // swiftlint:disable:this identifier_name
        let issued_at: String  // swiftlint:disable:this identifier_name
    }

    @Test func tokenFlowEndToEnd() async throws {
        let fixture = ServeFixture()
        defer { fixture.removeAll() }
        let auth = try fixture.auth { auth in
            AuthTests.rules(&auth)
            auth.token = AuthConfiguration.Token(service: "registry.test")
        }
        try await fixture.run(configure: { $0.auth = auth }) { client in
            // 1. A push without credentials: 401 with a Bearer challenge naming realm, service and scope.
            let blob = randomBytes(200)
            let digest = Digest.sha256(of: blob)
            let upload = "/v2/team/app/blobs/uploads/?digest=\(digest)"
            let first = try await client.execute(uri: upload, method: .post, body: blob.buffer)
            #expect(first.status == .unauthorized)
            let challenge = TokenAuthTests.challenge(first.headers[.wwwAuthenticate])
            #expect(challenge["realm"]?.hasSuffix("/token") == true)
            #expect(challenge["service"] == "registry.test")
            #expect(challenge["scope"] == "repository:team/app:pull,push")
            // 2. The token endpoint, with Basic credentials and the scope the challenge named.
            let query = "/token?service=registry.test&scope=\(challenge["scope"] ?? "")&account=alice"
            let tokenResponse = try await client.execute(uri: query, method: .get, headers: TestUsers.basic("alice"))
            #expect(tokenResponse.status == .ok)
            let token = try JSONDecoder().decode(TokenResponse.self, from: tokenResponse.body.data)
            #expect(token.token == token.access_token)
            #expect(token.expires_in == 300)
            #expect(ISO8601DateFormatter().date(from: token.issued_at) != nil)
            // 3. The retry with the token succeeds; so do pulls of that repository (token-only client).
            let retry = try await client.execute(
                uri: upload, method: .post, headers: TestUsers.bearer(token.token), body: blob.buffer)
            #expect(retry.status == .created)
            let pull = try await client.execute(
                uri: "/v2/team/app/blobs/\(digest)", method: .get, headers: TestUsers.bearer(token.token))
            #expect(pull.status == .ok)
            #expect(pull.body.data == blob)
            #expect(
                try await client.execute(uri: "/v2/", method: .get, headers: TestUsers.bearer(token.token)).status
                    == .ok)
            // 4. The same token for another repository: 401 insufficient_scope with that repository's scope.
            let other = try await client.execute(
                uri: "/v2/team/web/tags/list", method: .get, headers: TestUsers.bearer(token.token))
            #expect(other.status == .unauthorized)
            let otherChallenge = TokenAuthTests.challenge(other.headers[.wwwAuthenticate])
            #expect(otherChallenge["scope"] == "repository:team/web:pull")
            #expect(otherChallenge["error"] == "insufficient_scope")
            // 5. carol asks for push where her rules allow only pull: the token grants pull only, and pushing
            //    with it is refused.
            let carolResponse = try await client.execute(
                uri: "/token?service=registry.test&scope=repository:team/app:pull,push", method: .get,
                headers: TestUsers.basic("carol"))
            let carol = try JSONDecoder().decode(TokenResponse.self, from: carolResponse.body.data)
            let claims = try #require(
                RegistryToken(secret: nil, issuer: "x", audience: "y").decodeUnverified(carol.token))
            #expect(claims.access == [RegistryToken.Access(type: "repository", name: "team/app", actions: ["pull"])])
            let carolPush = try await client.execute(
                uri: upload, method: .post, headers: TestUsers.bearer(carol.token), body: blob.buffer)
            #expect(carolPush.status == .unauthorized)
            #expect(TokenAuthTests.challenge(carolPush.headers[.wwwAuthenticate])["error"] == "insufficient_scope")
            #expect(
                try await client.execute(
                    uri: "/v2/team/app/blobs/\(digest)", method: .head, headers: TestUsers.bearer(carol.token)
                )
                .status == .ok)
            // 6. A forged or tampered token, wrong credentials, a wrong service.
            var tampered = Array(token.token)
            tampered[tampered.count - 2] = tampered[tampered.count - 2] == "A" ? "B" : "A"
            let forged = try await client.execute(
                uri: "/v2/team/app/tags/list", method: .get, headers: TestUsers.bearer(String(tampered)))
            #expect(forged.status == .unauthorized)
            #expect(TokenAuthTests.challenge(forged.headers[.wwwAuthenticate])["error"] == "invalid_token")
            let wrong = try await client.execute(
                uri: "/token?service=registry.test", method: .get, headers: TestUsers.basic("alice", "nope"))
            #expect(wrong.status == .unauthorized)
            #expect(wrong.headers[.wwwAuthenticate] == "Basic realm=\"ocitool\"")
            let service = try await client.execute(
                uri: "/token?service=elsewhere", method: .get, headers: TestUsers.basic("alice"))
            #expect(service.status == .badRequest)
            // No anonymous tokens without anonymous read.
            #expect(try await client.execute(uri: "/token?service=registry.test", method: .get).status == .unauthorized)
        }
    }

    @Test func anonymousTokensGrantPullOnlyWhenAnonymousReadIsOn() async throws {
        let fixture = ServeFixture()
        defer { fixture.removeAll() }
        let auth = try fixture.auth { auth in
            auth.anonymousRead = true
            auth.token = AuthConfiguration.Token(service: "registry.test")
        }
        _ = try fixture.store.layout(for: "app", create: true)
        try await fixture.run(configure: { $0.auth = auth }) { client in
            let response = try await client.execute(
                uri: "/token?service=registry.test&scope=repository:app:pull,push", method: .get)
            #expect(response.status == .ok)
            let token = try JSONDecoder().decode(TokenResponse.self, from: response.body.data).token
            #expect(
                try await client.execute(uri: "/v2/app/tags/list", method: .get, headers: TestUsers.bearer(token))
                    .status
                    == .ok)
            #expect(
                try await client.execute(uri: "/v2/app/blobs/uploads/", method: .post, headers: TestUsers.bearer(token))
                    .status == .unauthorized)
        }
    }

    @Test func tokenEndpointAcceptsTheOAuth2PasswordGrant() async throws {
        let fixture = ServeFixture()
        defer { fixture.removeAll() }
        let auth = try fixture.auth { auth in
            AuthTests.rules(&auth)
            auth.token = AuthConfiguration.Token(service: "registry.test")
        }
        try await fixture.run(configure: { $0.auth = auth }) { client in
            let form = "grant_type=password&username=alice&password=alice-secret&service=registry.test"
                + "&client_id=docker&access_type=offline&scope=repository%3Ateam%2Fapp%3Apull%2Cpush"
            let response = try await client.execute(
                uri: "/token", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: form))
            #expect(response.status == .ok)
            struct OAuth: Decodable {
                let access_token: String  // swiftlint:disable:this identifier_name
                let scope: String
            }
            let answer = try JSONDecoder().decode(OAuth.self, from: response.body.data)
            #expect(answer.scope == "repository:team/app:pull,push")
            let pull = try await client.execute(
                uri: "/v2/team/app/tags/list", method: .get, headers: TestUsers.bearer(answer.access_token))
            #expect(pull.status == .notFound)  // authorized; the repository does not exist yet
            let wrong = try await client.execute(
                uri: "/token", method: .post, body: ByteBuffer(string: "grant_type=password&username=alice&password=x"))
            #expect(wrong.status == .unauthorized)
            let refresh = try await client.execute(
                uri: "/token", method: .post, body: ByteBuffer(string: "grant_type=refresh_token&refresh_token=x"))
            #expect(refresh.status == .badRequest)
        }
    }

    @Test func tokensExpireAndAreBoundToTheirService() throws {
        let signer = RegistryToken(secret: "0123456789abcdef0123456789abcdef", issuer: "ocitool", audience: "svc")
        let now = Date()
        let seconds = Int64(now.timeIntervalSince1970)
        let claims = RegistryToken.Claims(
            iss: "ocitool", sub: "alice", aud: "svc", exp: seconds + 60, nbf: seconds, iat: seconds, jti: "1",
            access: [RegistryToken.Access(type: "repository", name: "app", actions: ["pull"])])
        let token = signer.sign(claims)
        #expect(signer.verify(token, now: now) == claims)
        #expect(signer.verify(token, now: now.addingTimeInterval(61)) == nil)
        #expect(
            RegistryToken(secret: "0123456789abcdef0123456789abcdef", issuer: "ocitool", audience: "other").verify(
                token) == nil)
        #expect(
            RegistryToken(secret: "another secret, 32 characters...", issuer: "ocitool", audience: "svc").verify(token)
                == nil)
        // HMAC-SHA256 matches RFC 4231 test case 2.
        let mac = HMAC.sha256(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8))
        #expect(
            mac.map { String(format: "%02x", $0) }.joined()
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }
}

extension RegistryToken {
    /// The claims of a token without checking its signature (tests only).
    func decodeUnverified(_ token: String) -> Claims? {
        let parts = token.split(separator: ".")
        guard parts.count == 3, let payload = RegistryToken.decodeBase64URL(parts[1]) else { return nil }
        return try? JSONDecoder().decode(Claims.self, from: payload)
    }
}
