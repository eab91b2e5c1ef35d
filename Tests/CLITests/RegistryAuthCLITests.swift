// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
import Testing

/// Credentials as users give them to copy, sync, login and logout: docker credential helpers named by the
/// auth file, and skopeo's per-side flags (--src-creds, --dest-creds, --src-tls-verify, …), against
/// `ocitool serve --htpasswd` (Basic auth) and `ocitool serve --tls-cert` (a self-signed certificate).
@Suite struct RegistryAuthCLITests {
    /// bcrypt (cost 5) of alice-pw and bob-pw.
    static let htpasswd = """
        alice:$2y$05$ocitoolclitestsaltaaaOK5x5rhp5oWesUVQtQPGyBWN3L3UdCI2
        bob:$2y$05$ocitoolclitestsaltbbbO/i3yUqrcOTx.IzKn8H5ilTf92D9Waiy

        """

    /// A fake docker credential helper keeping one JSON file per server URL under $FAKE_HELPER_DB/<its name>
    /// (shared with the Sync tests: Tests/Fixtures/docker-credential-fake).
    static let helperScript: String = {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../Fixtures/docker-credential-fake").standardized.path
        return (try? String(contentsOfFile: path, encoding: .utf8)) ?? "#!/bin/sh\necho \"missing \(path)\"; exit 1\n"
    }()

    @Test func loginCopyAndLogoutGoThroughTheConfiguredCredentialHelper() throws {
        let server = try Server(["--htpasswd", "HTPASSWD"])
        defer { server.stop() }
        let directory = CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let layout = try RegistryAuthCLITests.layout(in: directory)
        try FileManager.default.createDirectory(atPath: directory + "/bin", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: directory + "/db", withIntermediateDirectories: true)
        let helper = directory + "/bin/docker-credential-test"
        try RegistryAuthCLITests.helperScript.write(toFile: helper, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: helper)
        let authFile = directory + "/config.json"
        try #"{"credsStore": "test"}"#.write(toFile: authFile, atomically: true, encoding: .utf8)
        let environment = [
            "PATH": "\(directory)/bin:/usr/bin:/bin", "FAKE_HELPER_DB": directory + "/db",
            "REGISTRY_AUTH_FILE": authFile, "HOME": directory, "XDG_RUNTIME_DIR": directory + "/run",
        ]
        let target = "docker://\(server.host)/team/app:1.0"
        func run(_ arguments: [String], stdin: String? = nil) throws -> CLIRunner.Result {
            try RegistryAuthCLITests.run(arguments, environment: environment, stdin: stdin)
        }

        // Nothing stored yet: the helper has nothing, so the push is anonymous and refused.
        var result = try run(["copy", "--plain-http", layout + ":1.0", target])
        #expect(result.status == 1 && result.stderr.contains("authentication to \(server.host) failed"))

        // A wrong password: told to check it, nothing stored.
        result = try run(["login", "--plain-http", "--username", "alice", "--password-stdin", server.host], stdin: "nope\n")
        #expect(result.status == 1 && result.stderr.contains("hint: check the user name and password"), "\(result.stderr)")
        let key = server.host.replacingOccurrences(of: ":", with: "_")
        #expect(!FileManager.default.fileExists(atPath: "\(directory)/db/docker-credential-test/\(key).json"))

        // The registry may be named as docker accepts it, with a scheme and a path.
        result = try run(
            ["login", "--plain-http", "--username", "alice", "--password-stdin", "docker://\(server.host)/v2/"],
            stdin: "alice-pw\n")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("credentials stored in docker-credential-test"))
        let stored = try String(contentsOfFile: "\(directory)/db/docker-credential-test/\(key).json", encoding: .utf8)
        #expect(stored == #"{"Secret":"alice-pw","ServerURL":"\#(server.host)","Username":"alice"}"#)
        #expect(try String(contentsOfFile: authFile, encoding: .utf8) == #"{"credsStore": "test"}"#)

        // The registry gets alice's credentials from the helper.
        result = try run(["copy", "--plain-http", layout + ":1.0", target])
        #expect(result.status == 0, "\(result.stderr)")
        result = try run(["ls", "--plain-http", "docker://\(server.host)/team/app"])
        #expect(result.status == 0 && result.stdout.contains("1.0"), "\(result.stderr)")
        let log = try String(contentsOfFile: directory + "/db/docker-credential-test/log", encoding: .utf8)
        #expect(log.contains("get \(server.host)\n"))

        result = try run(["logout", "https://\(server.host)/v2/"])
        #expect(result.status == 0 && result.stdout.contains("from docker-credential-test"), "\(result.stderr)")
        result = try run(["ls", "--plain-http", "docker://\(server.host)/team/app"])
        #expect(result.status == 1 && result.stderr.contains("authentication to \(server.host) failed"))

        // A broken helper is named in the error.
        try "#!/bin/sh\necho 'keychain locked'\nexit 1\n".write(toFile: helper, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: helper)
        result = try run(["ls", "--plain-http", "docker://\(server.host)/team/app"])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("error: credential helper docker-credential-test failed: 'get' exited with status 1: keychain locked"))
    }

    /// Valid credentials without push rights: the error says the user may not push, not that the credentials
    /// were wrong (a 403 with Basic auth; a token without the push scope with the token service).
    @Test(arguments: [false, true])
    func aUserWithoutPushIsToldSo(tokens: Bool) throws {
        let directory = CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try RegistryAuthCLITests.htpasswd.write(toFile: directory + "/htpasswd", atomically: true, encoding: .utf8)
        let config = """
            auth:
              htpasswd: \(directory)/htpasswd
              access: [{users: [alice], repositories: ["**"], actions: [pull]}]
            \(tokens ? "  token: {service: test-registry}" : "")

            """
        try config.write(toFile: directory + "/serve.yaml", atomically: true, encoding: .utf8)
        let server = try Server(["--config", directory + "/serve.yaml"])
        defer { server.stop() }
        let layout = try RegistryAuthCLITests.layout(in: directory)

        let result = try CLIRunner.run([
            "copy", "--plain-http", "--creds", "alice:alice-pw", layout + ":1.0", "docker://\(server.host)/team/app:1.0",
        ])
        #expect(result.status == 1)
        let expected = tokens ? "alice may not push to team/app" : "refused to alice (DENIED: "
        #expect(result.stderr.hasPrefix("error: access denied by \(server.host): "), "\(result.stderr)")
        #expect(result.stderr.contains(expected), "\(result.stderr)")
        #expect(result.stderr.contains("hint: the credentials are valid but lack this permission"), "\(result.stderr)")
    }

    @Test func sourceAndDestinationCredentialsAreSeparate() throws {
        let alice = try Server(["--htpasswd", "HTPASSWD"])
        defer { alice.stop() }
        let bob = try Server(["--htpasswd", "HTPASSWD"])
        defer { bob.stop() }
        let directory = CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let layout = try RegistryAuthCLITests.layout(in: directory)
        let environment = ["HOME": directory, "REGISTRY_AUTH_FILE": directory + "/none.json", "XDG_RUNTIME_DIR": directory]
        func run(_ arguments: [String]) throws -> CLIRunner.Result {
            try RegistryAuthCLITests.run(arguments, environment: environment)
        }
        // Both servers know both users: a wrong password on one side shows which credentials each side got.
        let good = ["--src-creds", "alice:alice-pw", "--dest-creds", "bob:bob-pw"]
        var result = try run(["copy", "--plain-http", "--creds", "alice:alice-pw", layout + ":1.0", "docker://\(alice.host)/team/app:1.0"])
        #expect(result.status == 0, "\(result.stderr)")

        let from = "docker://\(alice.host)/team/app:1.0"
        let to = "docker://\(bob.host)/team/app:1.0"
        result = try run(["copy", "--plain-http", "--src-creds", "alice:alice-pw", "--dest-creds", "bob:wrong", from, to])
        #expect(result.status == 1 && result.stderr.contains("authentication to \(bob.host) failed")
            && result.stderr.contains("credentials of bob"), "\(result.stderr)")
        result = try run(["copy", "--plain-http", "--src-creds", "alice:wrong", "--dest-creds", "bob:bob-pw", from, to])
        #expect(result.status == 1 && result.stderr.contains("authentication to \(alice.host) failed")
            && result.stderr.contains("credentials of alice"), "\(result.stderr)")
        result = try run(["copy", "--plain-http"] + good + [from, to])
        #expect(result.status == 0, "\(result.stderr)")
        // --creds applies to the side without its own flag.
        result = try run(["copy", "--plain-http", "--creds", "alice:alice-pw", "--dest-creds", "bob:bob-pw", from, to])
        #expect(result.status == 0, "\(result.stderr)")
        result = try run(["copy", "--plain-http", "--creds", "bob:bob-pw", "--src-creds", "alice:wrong", from, to])
        #expect(result.status == 1 && result.stderr.contains("credentials of alice"), "\(result.stderr)")

        // sync with the same flags.
        let repositories = ["docker://\(alice.host)/team/app", "docker://\(bob.host)/mirror/app"]
        result = try run(["sync", "--plain-http", "--src-creds", "alice:alice-pw", "--dest-creds", "bob:wrong"] + repositories)
        #expect(result.status == 1 && result.stderr.contains("credentials of bob"), "\(result.stderr)")
        result = try run(["sync", "--plain-http"] + good + repositories)
        #expect(result.status == 0 && result.stdout.contains("1 copied"), "\(result.stderr)")
        // Per-side auth files.
        let aliceFile = directory + "/alice.json"
        let bobFile = directory + "/bob.json"
        for (file, host, user) in [(aliceFile, alice.host, "alice"), (bobFile, bob.host, "bob")] {
            let auth = Data("\(user):\(user)-pw".utf8).base64EncodedString()
            try #"{"auths": {"\#(host)": {"auth": "\#(auth)"}}}"#.write(toFile: file, atomically: true, encoding: .utf8)
        }
        result = try run(["sync", "--plain-http", "--src-authfile", aliceFile, "--dest-authfile", bobFile] + repositories)
        #expect(result.status == 0 && result.stdout.contains("1 skipped"), "\(result.stderr)")
        result = try run(["sync", "--plain-http", "--src-authfile", bobFile, "--dest-authfile", bobFile] + repositories)
        #expect(result.status == 1 && result.stderr.contains("authentication to \(alice.host) failed"), "\(result.stderr)")

        // With --config, each side is set in the file.
        try "source: {registry: a}\ndestination: {layout: m}\nrepositories: [{name: x}]\n"
            .write(toFile: directory + "/sync.yaml", atomically: true, encoding: .utf8)
        result = try run(["sync", "--config", directory + "/sync.yaml", "--dest-creds", "bob:bob-pw"])
        #expect(result.status == 2 && result.stderr.contains("--dest-creds applies to SOURCE DESTINATION"))
        result = try run(["copy", "--help"])
        #expect(["--src-creds", "--dest-creds", "--src-authfile", "--dest-authfile", "--src-tls-verify", "--dest-tls-verify",
                 "--src-cert-dir", "--dest-cert-dir"].allSatisfy(result.stdout.contains))
    }

    /// `--no-creds` (and `--src-no-creds`/`--dest-no-creds`) ignore the auth file: a registry that lets anyone pull
    /// is read anonymously even when the auth file holds wrong credentials for it.
    @Test func noCredsIgnoresTheAuthFile() throws {
        let server = try Server(["--htpasswd", "HTPASSWD", "--anonymous-read"])
        defer { server.stop() }
        let directory = CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let layout = try RegistryAuthCLITests.layout(in: directory)
        let authFile = directory + "/auth.json"
        let wrong = Data("alice:wrong".utf8).base64EncodedString()
        try #"{"auths": {"\#(server.host)": {"auth": "\#(wrong)"}}}"#.write(toFile: authFile, atomically: true, encoding: .utf8)
        let environment = ["HOME": directory, "REGISTRY_AUTH_FILE": authFile, "XDG_RUNTIME_DIR": directory]
        func run(_ arguments: [String]) throws -> CLIRunner.Result {
            try RegistryAuthCLITests.run(arguments, environment: environment)
        }
        let image = "docker://\(server.host)/team/app:1.0"
        var result = try run(["copy", "--plain-http", "--creds", "alice:alice-pw", layout + ":1.0", image])
        #expect(result.status == 0, "\(result.stderr)")

        // The auth file's wrong entry is used, and refused.
        result = try run(["ls", "--plain-http", "docker://\(server.host)/team/app"])
        #expect(result.status == 1 && result.stderr.contains("authentication to \(server.host) failed"), "\(result.stderr)")
        result = try run(["ls", "--plain-http", "--no-creds", "docker://\(server.host)/team/app"])
        #expect(result.status == 0 && result.stdout.contains("1.0"), "\(result.stderr)")
        result = try run(["copy", "--plain-http", image, directory + "/out:1.0"])
        #expect(result.status == 1, "\(result.stderr)")
        result = try run(["copy", "--plain-http", "--src-no-creds", image, directory + "/out:1.0"])
        #expect(result.status == 0, "\(result.stderr)")
        // Anonymous pushes are refused: --dest-no-creds really sends no credentials.
        result = try run(["copy", "--plain-http", "--dest-no-creds", layout + ":1.0", "docker://\(server.host)/team/other:1.0"])
        #expect(result.status == 1 && result.stderr.contains(server.host), "\(result.stderr)")

        // Contradictions are usage errors.
        result = try run(["ls", "--no-creds", "--creds", "a:b", "docker://\(server.host)/team/app"])
        #expect(result.status == 2 && result.stderr.contains("--no-creds cannot be combined"), "\(result.stderr)")
        result = try run(["copy", "--src-no-creds", "--src-creds", "a:b", image, directory + "/out2:1.0"])
        #expect(result.status == 2 && result.stderr.contains("--src-no-creds cannot be combined"), "\(result.stderr)")
    }

    @Test func tlsVerificationIsSetPerSide() throws {
        let directory = CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for arguments in [
            ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
             directory + "/key.pem", "-out", directory + "/cert.pem", "-days", "2", "-subj", "/CN=127.0.0.1",
             "-addext", "subjectAltName=IP:127.0.0.1"],
        ] {
            let openssl = Process()
            openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
            openssl.arguments = arguments
            openssl.standardOutput = FileHandle.nullDevice
            openssl.standardError = FileHandle.nullDevice
            try openssl.run()
            openssl.waitUntilExit()
            try #require(openssl.terminationStatus == 0)
        }
        let server = try Server(["--tls-cert", directory + "/cert.pem", "--tls-key", directory + "/key.pem"])
        defer { server.stop() }
        let layout = try RegistryAuthCLITests.layout(in: directory)
        let remote = "docker://\(server.host)/team/app:1.0"

        // The self-signed certificate is refused unless the destination side turns verification off.
        var result = try CLIRunner.run(["copy", layout + ":1.0", remote])
        #expect(result.status == 1 && result.stderr.contains("transfer with registry"), "\(result.stderr)")
        result = try CLIRunner.run(["copy", "--tls-verify=false", "--dest-tls-verify=true", layout + ":1.0", remote])
        #expect(result.status == 1, "\(result.stderr)")
        result = try CLIRunner.run(["copy", "--dest-tls-verify=false", layout + ":1.0", remote])
        #expect(result.status == 0, "\(result.stderr)")
        // skopeo's spellings: a bare --tls-verify is true and leaves the reference alone; with = Go's booleans.
        let repository = "docker://\(server.host)/team/app"
        result = try CLIRunner.run(["ls", "--tls-verify", repository])
        #expect(result.status == 1 && result.stderr.contains("transfer with registry"), "\(result.stderr)")
        for flag in [["--tls-verify=F"], ["--tls-verify=0"], ["--tls-verify", "false"]] {
            result = try CLIRunner.run(["ls"] + flag + [repository])
            #expect(result.status == 0 && result.stdout.contains("1.0"), "\(flag): \(result.stderr)")
        }
        // And back, verified on the source side by its own CA directory.
        try FileManager.default.createDirectory(atPath: directory + "/ca", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: directory + "/cert.pem", toPath: directory + "/ca/server.crt")
        result = try CLIRunner.run(["copy", "--dest-cert-dir", directory + "/ca", remote, directory + "/back:1.0"])
        #expect(result.status == 1, "\(result.stderr)")
        result = try CLIRunner.run(["copy", "--src-cert-dir", directory + "/ca", remote, directory + "/back:1.0"])
        #expect(result.status == 0, "\(result.stderr)")
        result = try CLIRunner.run(["copy", "--src-tls-verify=false", remote, directory + "/back2:1.0"])
        #expect(result.status == 0, "\(result.stderr)")
    }
}
