// SPDX-License-Identifier: Apache-2.0
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Layout
import Logging
import Testing

@testable import Serve

/// Basic authentication against an htpasswd file, anonymous read, access rules with globs, and the failed-login
/// limit.
@Suite("Serve: authentication and access rules")
struct AuthTests {
    /// alice and bob (devs) may push team/*, carol may only pull; everyone authenticated may pull.
    static func rules(_ auth: inout AuthConfiguration) {
        auth.groups = ["devs": ["alice", "bob"]]
        auth.rules = [
            AuthConfiguration.Rule(groups: ["devs"], repositories: ["team/*"], actions: [.pull, .push, .delete]),
            AuthConfiguration.Rule(users: ["*"], repositories: ["**"], actions: [.pull]),
        ]
    }

    @Test func basicAuthAllowsTheRightPasswordAndDeniesTheRest() async throws {
        let fixture = ServeFixture()
        defer { fixture.removeAll() }
        let auth = try fixture.auth()
        try await fixture.run(configure: { $0.auth = auth }) { client in
            // No credentials: 401 with the Basic challenge, in the OCI envelope.
            let anonymous = try await client.execute(uri: "/v2/", method: .get)
            #expect(anonymous.status == .unauthorized)
            #expect(anonymous.headers[.wwwAuthenticate] == "Basic realm=\"ocitool\"")
            #expect(anonymous.errorCode == .unauthorized)
            // A wrong password, an unknown user: 401.
            for headers in [TestUsers.basic("alice", "wrong"), TestUsers.basic("mallory", "x")] {
                let wrong = try await client.execute(uri: "/v2/", method: .get, headers: headers)
                #expect(wrong.status == .unauthorized)
                #expect(wrong.errorCode == .unauthorized)
            }
            // The right one: the API answers, and without rules the user may push.
            #expect(
                try await client.execute(uri: "/v2/", method: .get, headers: TestUsers.basic("alice")).status == .ok)
            let blob = randomBytes(100)
            let push = try await client.execute(
                uri: "/v2/app/blobs/uploads/?digest=\(Digest.sha256(of: blob))", method: .post,
                headers: TestUsers.basic("alice"), body: blob.buffer)
            #expect(push.status == .created)
            // Pulling without credentials is refused too.
            let pull = try await client.execute(uri: "/v2/app/blobs/\(Digest.sha256(of: blob))", method: .get)
            #expect(pull.status == .unauthorized)
        }
    }

    @Test func anonymousReadLetsEveryonePullButNotPush() async throws {
        let fixture = ServeFixture()
        defer { fixture.removeAll() }
        let auth = try fixture.auth { $0.anonymousRead = true }
        try await fixture.run(configure: { $0.auth = auth }) { client in
            let blob = randomBytes(100)
            let digest = Digest.sha256(of: blob)
            let anonymousPush = try await client.execute(
                uri: "/v2/app/blobs/uploads/?digest=\(digest)", method: .post, body: blob.buffer)
            #expect(anonymousPush.status == .unauthorized)
            #expect(anonymousPush.headers[.wwwAuthenticate] == "Basic realm=\"ocitool\"")
            let push = try await client.execute(
                uri: "/v2/app/blobs/uploads/?digest=\(digest)", method: .post, headers: TestUsers.basic("bob"),
                body: blob.buffer)
            #expect(push.status == .created)
            let pull = try await client.execute(uri: "/v2/app/blobs/\(digest)", method: .get)
            #expect(pull.status == .ok)
            #expect(pull.body.data == blob)
            #expect(try await client.execute(uri: "/v2/_catalog", method: .get).status == .ok)
            // Empty Basic credentials (what some clients send when they have none) are anonymous.
            let empty = try await client.execute(
                uri: "/v2/app/blobs/\(digest)", method: .head, headers: TestUsers.basic("", ""))
            #expect(empty.status == .ok)
            // Deleting is a write.
            let delete = try await client.execute(uri: "/v2/app/blobs/\(digest)", method: .delete)
            #expect(delete.status == .unauthorized)
        }
    }

    @Test func aclGlobsDecideWhoMayPushWhere() async throws {
        // The glob grammar itself.
        #expect(AccessControl.glob("team/*", matches: "team/app"))
        #expect(!AccessControl.glob("team/*", matches: "team/a/b"))
        #expect(!AccessControl.glob("team/*", matches: "teamx/app"))
        #expect(AccessControl.glob("team/**", matches: "team/a/b"))
        #expect(AccessControl.glob("**", matches: "anything/at/all"))
        #expect(AccessControl.glob("**/base", matches: "x/y/base"))
        #expect(!AccessControl.glob("**/base", matches: "x/y/base2"))
        #expect(AccessControl.glob("app-?", matches: "app-1"))
        #expect(!AccessControl.glob("app-?", matches: "app-/"))
        let fixture = ServeFixture()
        defer { fixture.removeAll() }
        let auth = try fixture.auth(AuthTests.rules)
        try await fixture.run(configure: { $0.auth = auth }) { client in
            func push(_ user: String, _ repository: String) async throws -> HTTPResponse.Status {
                let blob = randomBytes(64)
                return try await client.execute(
                    uri: "/v2/\(repository)/blobs/uploads/?digest=\(Digest.sha256(of: blob))", method: .post,
                    headers: TestUsers.basic(user), body: blob.buffer
                ).status
            }
            #expect(try await push("alice", "team/app") == .created)
            #expect(try await push("bob", "team/web") == .created)
            // Outside the glob, or a user outside the group: 403 DENIED (authenticated, not allowed).
            #expect(try await push("alice", "team/app/sub") == .forbidden)
            #expect(try await push("alice", "other") == .forbidden)
            #expect(try await push("carol", "team/app") == .forbidden)
            let denied = try await client.execute(
                uri: "/v2/team/app/blobs/uploads/", method: .post, headers: TestUsers.basic("carol"))
            #expect(denied.errorCode == .denied)
            // carol may pull everything ("*" is any authenticated user).
            #expect(
                try await client.execute(uri: "/v2/team/app/tags/list", method: .get, headers: TestUsers.basic("carol"))
                    .status == .ok)
        }
        let access = AccessControl(configuration: auth)
        #expect(access.actions(for: "alice", on: "team/app") == [.pull, .push, .delete])
        #expect(access.actions(for: "carol", on: "team/app") == [.pull])
        #expect(access.actions(for: nil, on: "team/app") == [])
    }

    @Test func mountsNeedPullAccessToTheirSource() async throws {
        let fixture = ServeFixture()
        defer { fixture.removeAll() }
        let auth = try fixture.auth { auth in
            auth.groups = ["devs": ["alice"]]
            auth.rules = [AuthConfiguration.Rule(groups: ["devs"], repositories: ["team/*"], actions: [.pull, .push])]
        }
        let secret = randomBytes(500)
        let digest = Digest.sha256(of: secret)
        try await fixture.run(configure: { $0.auth = auth }) { client in
            // The blob is in a repository alice may not read (pushed by carol, who may do everything there).
            let stored = try fixture.store.layout(for: "private/x", create: true).writeBlob(secret)
            fixture.store.addToPool(stored.digest, from: try fixture.store.layout(for: "private/x"))
            _ = try await client.pushBlob(secret, to: "team/shared", headers: TestUsers.basic("alice"))
            let alice = TestUsers.basic("alice")
            // From a repository she may pull: mounted (201).
            let allowed = try await client.execute(
                uri: "/v2/team/app/blobs/uploads/?mount=\(digest)&from=team/shared", method: .post, headers: alice)
            #expect(allowed.status == .created)
            // From one she may not, or without from: a plain upload session (202), nothing mounted.
            for query in ["mount=\(digest)&from=private/x", "mount=\(digest)"] {
                let refused = try await client.execute(
                    uri: "/v2/team/web/blobs/uploads/?\(query)", method: .post, headers: alice)
                #expect(refused.status == .accepted, "\(query)")
            }
            #expect(try fixture.store.layout(for: "team/web", create: true).blobSize(digest) == nil)
        }
    }

    @Test func catalogListsOnlyWhatTheCallerMayPull() async throws {
        let fixture = ServeFixture()
        defer { fixture.removeAll() }
        let auth = try fixture.auth { auth in
            auth.rules = [AuthConfiguration.Rule(users: ["carol"], repositories: ["public/*"], actions: [.pull])]
        }
        for name in ["public/a", "private/b"] { _ = try fixture.store.layout(for: name, create: true) }
        try await fixture.run(configure: { $0.auth = auth }) { client in
            let carol = try await client.execute(uri: "/v2/_catalog", method: .get, headers: TestUsers.basic("carol"))
            #expect(carol.body.string.contains("public/a"))
            #expect(!carol.body.string.contains("private/b"))
        }
    }

    @Test func failedLoginsAreRateLimitedPerClientAndLogged() async throws {
        let fixture = ServeFixture()
        defer { fixture.removeAll() }
        let auth = try fixture.auth { $0.failedLoginLimit = 3 }
        let records = CapturingLogHandler.Records()
        var configuration = fixture.configuration { $0.auth = auth }
        configuration.accessLog = false
        let app = try buildApplication(configuration, logger: CapturingLogHandler.logger(records))
        try await app.test(.router) { client in
            for _ in 0..<3 {
                let wrong = try await client.execute(
                    uri: "/v2/", method: .get, headers: TestUsers.basic("alice", "guess"))
                #expect(wrong.status == .unauthorized)
            }
            // Past the limit even the right password gets 429, with Retry-After, until the window has passed.
            let blocked = try await client.execute(uri: "/v2/", method: .get, headers: TestUsers.basic("alice"))
            #expect(blocked.status == .tooManyRequests)
            #expect(blocked.errorCode == .tooManyRequests)
            let retryAfter = try #require(blocked.headers[.retryAfter].flatMap { Int($0) })
            #expect((1...60).contains(retryAfter))
        }
        let failures = records.metadata(of: "failed login")
        #expect(failures.count == 3)
        #expect(failures.first?["user"] == "alice")
        #expect(failures.first?["client"] != nil)
        // The limiter itself: the window slides.
        let limiter = ClientLimiter(.window(limit: 2, window: .seconds(60)))
        let start = ContinuousClock.now
        limiter.record("a", now: start)
        limiter.record("a", now: start + .seconds(10))
        #expect(limiter.blocked("a", now: start + .seconds(11)) == .seconds(49))
        #expect(limiter.blocked("b", now: start + .seconds(11)) == nil)
        #expect(limiter.blocked("a", now: start + .seconds(61)) == nil)
    }

    @Test func readOnlyAnswers405UnsupportedToAuthorizedWritesAnd401ToAnonymousOnes() async throws {
        let fixture = ServeFixture()
        defer { fixture.removeAll() }
        let auth = try fixture.auth { $0.anonymousRead = true }
        try await fixture.run(configure: {
            $0.auth = auth
            $0.readOnly = true
        }) { client in
            let pushes = [
                ("/v2/app/blobs/uploads/", HTTPRequest.Method.post), ("/v2/app/manifests/v1", .put),
                ("/v2/app/manifests/v1", .delete),
            ]
            for (uri, method) in pushes {
                let authorized = try await client.execute(uri: uri, method: method, headers: TestUsers.basic("alice"))
                #expect(authorized.status == .methodNotAllowed, "\(method) \(uri)")
                #expect(authorized.errorCode == .unsupported)
                #expect(try await client.execute(uri: uri, method: method).status == .unauthorized)
            }
        }
    }
}
