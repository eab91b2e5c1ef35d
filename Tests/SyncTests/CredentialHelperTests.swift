// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
@testable import Sync
import Testing

/// Docker credential helpers (`credHelpers`, `credsStore`) and identity tokens, with fake helper scripts on a
/// `PATH` the library is given.
@Suite struct CredentialHelperTests {
    static let alice = Credentials(username: "alice", password: "pw:with:colons")
    static let bob = Credentials(username: "bob", password: "wrong")

    /// An auth file holding `json`, in the helper's directory.
    static func authFile(_ helper: FakeCredentialHelper, _ json: String) throws -> String {
        let path = helper.directory + "/auth-\(UUID().uuidString).json"
        try json.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func aRegistrysHelperSuppliesTheCredentialsTheRegistryGets() throws {
        let fake = try FakeRegistry(auth: .basic(CredentialHelperTests.alice))
        defer { fake.stop() }
        let helper = try FakeCredentialHelper("vault")
        try helper.seed("vault", serverURL: fake.host, username: "alice", secret: CredentialHelperTests.alice.password)
        // The helper wins over the file's own entry (bob's, which the registry would refuse).
        let file = try CredentialHelperTests.authFile(helper, """
            {"credHelpers": {"\(fake.host)": "vault"}, "auths": {"\(fake.host)": {"auth": "\(CredentialHelperTests.bob.base64)"}}}
            """)
        let options = RegistryOptions(authFile: file, plainHTTP: true, environment: helper.environment)
        let source = try SyncFixtures.layout()
        defer { SyncFixtures.remove(source) }
        let image = try SyncFixtures.image(in: source, tag: "1.0", layers: [1000])

        let remote = RemoteRegistry(client: try options.client(registry: fake.host, repository: "team/app"), repository: "team/app")
        let result = try ImageCopy(from: LayoutEndpoint(source), to: remote).copy(.tag("1.0"), tag: "1.0")
        #expect(result.descriptor.digest == image.digest)
        #expect(fake.content.current.manifests["1.0"] != nil)
        let authorizations = Set(fake.requests.compactMap { $0.headers["authorization"] })
        #expect(authorizations == ["Basic \(CredentialHelperTests.alice.base64)"])
        // Asked once, with the registry's host on stdin.
        #expect(helper.log("vault") == ["get \(fake.host)"])
    }

    @Test func precedenceIsDockers() throws {
        let helper = try FakeCredentialHelper("perhost", "store")
        try helper.seed("perhost", serverURL: "a.example:5000", username: "alice", secret: "1")
        try helper.seed("store", serverURL: "a.example:5000", username: "carol", secret: "2")
        try helper.seed("store", serverURL: "b.example", username: "carol", secret: "3")
        try helper.seed("store", serverURL: "https://index.docker.io/v1/", username: "hub", secret: "4")
        let plain = #"{"auth": "\#(CredentialHelperTests.bob.base64)"}"#
        let file = try CredentialHelperTests.authFile(helper, """
            {"credHelpers": {"https://A.example:5000": "perhost", "d.example": "perhost"}, "credsStore": "store",
             "auths": {"a.example:5000": \(plain), "b.example": \(plain), "c.example": \(plain)}}
            """)
        func lookup(_ host: String) throws -> Credentials? {
            try AuthFile.lookup(host: host, explicit: file, environment: helper.environment)
        }
        // credHelpers[host] (keys in any form auths takes) > credsStore > auths.
        #expect(try lookup("a.example:5000") == Credentials(username: "alice", password: "1"))
        #expect(try lookup("b.example") == Credentials(username: "carol", password: "3"))
        #expect(try lookup("docker.io") == Credentials(username: "hub", password: "4"))
        // A helper with nothing for the host means anonymous: as docker does, the file's auths entry is not
        // read when a helper applies, and a per-registry helper does not fall back to credsStore.
        #expect(try lookup("c.example") == nil)
        #expect(try lookup("d.example") == nil)
        #expect(helper.log("store").contains("get c.example"))
        #expect(helper.log("perhost").contains("get d.example"))

        // Without helpers, auths as before.
        let bare = try CredentialHelperTests.authFile(helper, #"{"auths": {"c.example": \#(plain)}}"#)
        #expect(try AuthFile.lookup(host: "c.example", explicit: bare, environment: helper.environment) == CredentialHelperTests.bob)
    }

    @Test func failuresNameTheHelper() throws {
        let helper = try FakeCredentialHelper()
        try helper.installBroken("broken", message: "boom: the keychain is locked")
        let broken = try CredentialHelperTests.authFile(helper, #"{"credsStore": "broken"}"#)
        #expect {
            try AuthFile.lookup(host: "x.example", explicit: broken, environment: helper.environment)
        } throws: { error in
            // The CLI's hint names the program the error carries, exit 1 (ErrorReportTests).
            guard let error = error as? SyncError, case .credentialHelper(let program, _) = error else { return false }
            return error.description
                == "credential helper docker-credential-broken failed: 'get' exited with status 3: boom: the keychain is locked"
                && program == "docker-credential-broken"
        }
        let missing = try CredentialHelperTests.authFile(helper, #"{"credHelpers": {"x.example": "missing"}}"#)
        #expect {
            try RegistryOptions(authFile: missing, environment: helper.environment).configuration(registry: "x.example")
        } throws: { error in
            "\(error)" == "credential helper docker-credential-missing failed: not found in $PATH"
        }
        // Explicit credentials never ask the helper.
        let options = RegistryOptions(credentials: CredentialHelperTests.bob, authFile: missing, environment: helper.environment)
        #expect(try options.configuration(registry: "x.example").credentials == CredentialHelperTests.bob)
    }

    @Test func identityTokensAreExchangedForAccessTokens() throws {
        let fake = try FakeRegistry(auth: .oauth(token: "AT-1", refreshToken: "RT+/=1"))
        defer { fake.stop() }
        let helper = try FakeCredentialHelper("vault")
        try helper.seed("vault", serverURL: fake.host, username: "<token>", secret: "RT+/=1")
        let file = try CredentialHelperTests.authFile(helper, #"{"credsStore": "vault"}"#)
        let options = RegistryOptions(authFile: file, plainHTTP: true, environment: helper.environment)
        let credentials = try #require(try options.configuration(registry: fake.host).credentials)
        #expect(credentials.identityToken == "RT+/=1" && credentials.password.isEmpty)

        let source = try SyncFixtures.layout()
        defer { SyncFixtures.remove(source) }
        try SyncFixtures.image(in: source, tag: "1.0", layers: [1000])
        let remote = RemoteRegistry(client: try options.client(registry: fake.host), repository: "team/app")
        try ImageCopy(from: LayoutEndpoint(source), to: remote).copy(.tag("1.0"), tag: "1.0")

        let tokenRequest = try #require(fake.content.current.tokenRequests.first)
        #expect(fake.content.current.tokenRequests.count == 1)
        #expect(tokenRequest.method == "POST" && tokenRequest.headers["authorization"] == nil)
        #expect(tokenRequest.headers["content-type"] == "application/x-www-form-urlencoded")
        let form = tokenRequest.form
        #expect(form["grant_type"] == "refresh_token" && form["refresh_token"] == "RT+/=1")
        #expect(form["service"] == "fake-registry" && form["scope"] == "repository:team/app:pull,push")
        #expect(form["client_id"] == "ocitool")
        #expect(fake.requests.filter { $0.path != "/v2/" }.allSatisfy { $0.headers["authorization"] == "Bearer AT-1" })

        // A rejected identity token is an authentication failure that says so.
        let stale = try CredentialHelperTests.authFile(
            helper, #"{"auths": {"\#(fake.host)": {"auth": "\#(Data("alice:".utf8).base64EncodedString())", "identitytoken": "old"}}}"#)
        let staleOptions = RegistryOptions(authFile: stale, plainHTTP: true, retry: RetryPolicy(maxAttempts: 1))
        #expect(try staleOptions.configuration(registry: fake.host).credentials
            == Credentials(username: "alice", password: "", identityToken: "old"))
        #expect {
            try staleOptions.client(registry: fake.host).fetchManifest("team/app", .tag("1.0"))
        } throws: { error in
            "\(error)".contains("rejected the identity token (401")
        }
    }

    @Test func loginAndLogoutGoThroughTheConfiguredHelper() throws {
        let fake = try FakeRegistry(auth: .basic(CredentialHelperTests.alice))
        defer { fake.stop() }
        let helper = try FakeCredentialHelper("vault")
        let file = try CredentialHelperTests.authFile(helper, """
            {"credsStore": "vault", "auths": {"\(fake.host)": {"auth": "\(CredentialHelperTests.bob.base64)"}, "other.example": {}}}
            """)
        let options = RegistryOptions(authFile: file, plainHTTP: true, retry: RetryPolicy(maxAttempts: 1), environment: helper.environment)

        // Rejected credentials are stored nowhere.
        #expect(throws: SyncError.self) {
            try RegistryLogin.login(registry: fake.host, credentials: CredentialHelperTests.bob, options: options)
        }
        #expect(!helper.log("vault").contains { $0.hasPrefix("store") })

        #expect(try RegistryLogin.login(registry: fake.host, credentials: CredentialHelperTests.alice, options: options)
            == "docker-credential-vault")
        #expect(helper.stored("vault", serverURL: fake.host)
            == ["ServerURL": fake.host, "Username": "alice", "Secret": CredentialHelperTests.alice.password])
        // No password is left in the file; its other keys stay.
        #expect(try AuthFile(path: file).credentials(for: fake.host) == nil)
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file))) as? [String: Any]
        #expect(object?["credsStore"] as? String == "vault")
        #expect((object?["auths"] as? [String: Any])?["other.example"] != nil)
        // Later commands get them from the helper.
        #expect(try options.configuration(registry: fake.host).credentials == CredentialHelperTests.alice)

        #expect(try RegistryLogin.logout(registry: fake.host, options: options) == "docker-credential-vault")
        #expect(helper.stored("vault", serverURL: fake.host) == nil)
        #expect(helper.log("vault").last == "erase \(fake.host)")
        #expect(try options.configuration(registry: fake.host).credentials == nil)
        #expect(try RegistryLogin.logout(registry: fake.host, options: options) == nil)
    }
}
