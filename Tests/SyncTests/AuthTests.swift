// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
@testable import Sync
import Testing

/// Basic and Bearer authentication against a fake registry and token server.
@Suite struct AuthTests {
    static let good = Credentials(username: "alice", password: "s3cret:with:colons")

    @Test func bearerTokensAreFetchedPerScopeAndReused() throws {
        let fake = try FakeRegistry(auth: .bearer(token: "T-123", credentials: AuthTests.good))
        defer { fake.stop() }
        let source = try SyncFixtures.layout()
        let target = try SyncFixtures.layout()
        defer { SyncFixtures.remove(source, target) }
        let image = try SyncFixtures.image(in: source, tag: "1.0", layers: [1000, 2000, 3000])

        let pusher = RemoteRegistry(client: fake.client(AuthTests.good), repository: "team/app")
        try ImageCopy(from: LayoutEndpoint(source), to: pusher).copy(.tag("1.0"), tag: "1.0")
        let pushTokens = fake.content.current.tokenRequests
        #expect(pushTokens.count == 1)
        let pushToken = try #require(pushTokens.first)
        #expect(pushToken.query("scope") == ["repository:team/app:pull,push"])
        #expect(pushToken.query("service") == ["fake-registry"])
        #expect(pushToken.query("account") == ["alice"])
        #expect(pushToken.headers["authorization"] == "Basic \(AuthTests.good.base64)")

        let puller = RemoteRegistry(client: fake.client(AuthTests.good), repository: "team/app")
        let pulled = try ImageCopy(from: puller, to: LayoutEndpoint(target)).copy(.tag("1.0"), tag: "1.0")
        #expect(pulled.descriptor.digest == image.digest)
        let pullTokens = fake.content.current.tokenRequests.dropFirst(pushTokens.count)
        #expect(pullTokens.map { $0.query("scope") } == [["repository:team/app:pull"]])
        // Each client asked /v2/ for the challenge once; every other request carried the token.
        #expect(fake.requests.filter { $0.path == "/v2/" }.count == 2)
        let operations = fake.requests.filter { $0.path != "/v2/" }
        #expect(operations.count > 8)
        #expect(operations.allSatisfy { $0.headers["authorization"] == "Bearer T-123" })
    }

    @Test func anonymousBearerTokensNeedNoCredentials() throws {
        let fake = try FakeRegistry(auth: .bearer(token: "anon", credentials: nil))
        defer { fake.stop() }
        fake.addManifest(Data(#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}"#.utf8),
                         mediaType: .ociIndex, tag: "empty")
        let (descriptor, _) = try fake.client().fetchManifest("app", .tag("empty"))
        #expect(descriptor.mediaType == .ociIndex)
        #expect(fake.content.current.tokenRequests.first?.headers["authorization"] == nil)
    }

    @Test func wrongCredentialsAtTheTokenServerGiveAClearError() throws {
        let fake = try FakeRegistry(auth: .bearer(token: "T", credentials: AuthTests.good))
        defer { fake.stop() }
        let client = fake.client(Credentials(username: "alice", password: "wrong"))
        #expect {
            try client.fetchManifest("app", .tag("1.0"))
        } throws: { error in
            // The CLI's hint names the host the error carries (ErrorReportTests).
            guard let error = error as? SyncError, case .authenticationFailed(let host, _) = error else { return false }
            return error.description.hasPrefix("authentication to \(fake.host) failed: ")
                && error.description.contains("rejected the credentials of alice") && host == fake.host
        }
    }

    @Test func wrongBasicCredentialsGiveAClearError() throws {
        let fake = try FakeRegistry(auth: .basic(AuthTests.good))
        defer { fake.stop() }
        #expect {
            try fake.client(Credentials(username: "bob", password: "nope")).checkAuthentication()
        } throws: { error in
            "\(error)" == "authentication to \(fake.host) failed: the registry rejected the credentials of bob "
                + "(UNAUTHORIZED: authentication required)"
        }
        #expect {
            try fake.client().checkAuthentication()
        } throws: { error in
            "\(error)".hasPrefix("authentication to \(fake.host) failed: the registry requires credentials")
        }
        try fake.client(AuthTests.good).checkAuthentication()
        // Basic is sent up front once the registry asked for it.
        let client = fake.client(AuthTests.good)
        try client.checkAuthentication()
        try client.checkAuthentication()
        #expect(fake.requests.suffix(3).map { $0.headers["authorization"] != nil } == [false, true, true])
    }

    @Test(arguments: [
        (#"Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push""#,
         "bearer", ["realm": "https://auth.example/token", "service": "registry.example", "scope": "repository:a/b:pull,push"]),
        (#"Basic realm="Registry Realm""#, "basic", ["realm": "Registry Realm"]),
        (#"bearer realm=https://x/t, service="s\"q""#, "bearer", ["realm": "https://x/t", "service": #"s"q"#]),
    ])
    func challengesAreParsed(header: String, scheme: String, parameters: [String: String]) throws {
        let challenge = try #require(AuthChallenge.parseOne(header))
        #expect(challenge.scheme.rawValue == scheme)
        #expect(challenge.parameters == parameters)
    }

    @Test func bearerIsPreferredAmongSeveralChallenges() {
        let challenge = AuthChallenge.parse([#"Basic realm="r""#, #"Bearer realm="https://t""#, "Negotiate"])
        #expect(challenge?.scheme == .bearer)
        #expect(AuthChallenge.parse(["Negotiate abc"]) == nil)
    }

    @Test func credentialsParse() throws {
        #expect(try Credentials(parsing: "u:p:q") == Credentials(username: "u", password: "p:q"))
        #expect(try Credentials(dockerAuth: Credentials(username: "u", password: "p").base64) == Credentials(username: "u", password: "p"))
        #expect(throws: SyncError.self) { try Credentials(parsing: "nocolon") }
        #expect(throws: SyncError.self) { try Credentials(parsing: ":p") }
        #expect(Credentials(username: "u", password: "secret").description == "u:***")
    }
}
