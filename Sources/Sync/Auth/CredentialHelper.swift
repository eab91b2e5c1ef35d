// SPDX-License-Identifier: Apache-2.0
public import Foundation
import Glibc
import Layout

/// A docker credential helper: the program `docker-credential-NAME` on `$PATH`, which keeps registry
/// credentials in a keychain or secret service instead of the auth file. An auth file names helpers with
/// `credHelpers` (per registry) and `credsStore` (for every other registry).
///
/// The protocol (github.com/docker/docker-credential-helpers): the action is the only argument.
/// - `get`: the server URL on stdin; prints `{"ServerURL": …, "Username": …, "Secret": …}`. A `Username` of
///   `<token>` means `Secret` is an identity token (an OAuth2 refresh token). A helper that has nothing for the
///   server exits non-zero printing `credentials not found in native keychain`.
/// - `store`: `{"ServerURL", "Username", "Secret"}` on stdin.
/// - `erase`: the server URL on stdin.
///
/// The server URL is what docker uses: the registry's `host[:port]`, and `https://index.docker.io/v1/` for
/// Docker Hub (`serverURL(for:)`).
public struct CredentialHelper: Sendable, Hashable {
    /// The name after `docker-credential-` (`pass`, `secretservice`, `ecr-login`, …).
    public let name: String
    /// The environment the helper runs with; its `PATH` is where the program is looked for.
    public let environment: [String: String]

    /// The `Username` a helper returns when `Secret` is an identity token.
    public static let tokenUsername = "<token>"
    /// What a helper prints when it holds nothing for a server.
    static let notFoundMessage = "credentials not found in native keychain"

    public init(name: String, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.name = name
        self.environment = environment
    }

    /// `docker-credential-NAME`.
    public var program: String { "docker-credential-\(name)" }

    /// The server URL docker stores a registry's credentials under: `host[:port]`, or Docker Hub's
    /// `https://index.docker.io/v1/`.
    public static func serverURL(for host: String) -> String { AuthFile.key(for: host) }

    /// The helper's credentials for `serverURL`.
    /// - Returns: nil when the helper has none; credentials with `identityToken` set when it returns a token.
    /// - Throws: `.credentialHelper` when the program is missing, fails, or prints something else than JSON.
    public func get(serverURL: String) throws(SyncError) -> Credentials? {
        let result = try run("get", input: Data(serverURL.utf8))
        guard result.status == 0 else {
            if result.notFound { return nil }
            throw failure("get", result)
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any] else {
            throw .credentialHelper(program, reason: "'get' printed something other than a JSON object")
        }
        let username = object["Username"] as? String ?? ""
        let secret = object["Secret"] as? String ?? ""
        if username.isEmpty, secret.isEmpty { return nil }
        if username == CredentialHelper.tokenUsername {
            return Credentials(username: username, password: "", identityToken: secret)
        }
        return Credentials(username: username, password: secret)
    }

    /// Stores credentials for `serverURL` (what `ocitool login` does when a helper is configured).
    /// - Throws: `.credentialHelper` when the program is missing or fails.
    public func store(_ credentials: Credentials, serverURL: String) throws(SyncError) {
        let object: [String: String] = [
            "ServerURL": serverURL,
            "Username": credentials.identityToken == nil ? credentials.username : CredentialHelper.tokenUsername,
            "Secret": credentials.identityToken ?? credentials.password,
        ]
        let input: Data
        do { input = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) } catch {
            throw .credentialHelper(program, reason: "cannot encode the credentials: \(error)")
        }
        let result = try run("store", input: input)
        guard result.status == 0 else { throw failure("store", result) }
    }

    /// Erases the credentials of `serverURL` (logout).
    /// - Returns: false when the helper had none.
    /// - Throws: `.credentialHelper` when the program is missing or fails.
    @discardableResult
    public func erase(serverURL: String) throws(SyncError) -> Bool {
        let result = try run("erase", input: Data(serverURL.utf8))
        guard result.status == 0 else {
            if result.notFound { return false }
            throw failure("erase", result)
        }
        return true
    }

    // MARK: - Running the program

    /// What a run of the program gave.
    private struct Outcome {
        var status: Int32
        var output: String
        var errors: String

        /// The helper's message: helpers print errors on stdout, some on stderr.
        var message: String {
            let printed = output.trimmingCharacters(in: .whitespacesAndNewlines)
            return printed.isEmpty ? errors.trimmingCharacters(in: .whitespacesAndNewlines) : printed
        }

        var notFound: Bool {
            output.contains(CredentialHelper.notFoundMessage) || errors.contains(CredentialHelper.notFoundMessage)
        }
    }

    private func failure(_ action: String, _ outcome: Outcome) -> SyncError {
        let message = outcome.message
        return .credentialHelper(
            program, reason: "'\(action)' exited with status \(outcome.status)" + (message.isEmpty ? "" : ": \(message)"))
    }

    /// The program's path: the first executable `docker-credential-NAME` in `$PATH`.
    func executable() throws(SyncError) -> String {
        guard !name.isEmpty, !name.contains("/") else {
            throw .credentialHelper(program, reason: "'\(name)' is not a helper name")
        }
        let path = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") where !directory.isEmpty {
            let candidate = "\(directory)/\(program)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw .credentialHelper(program, reason: "not found in $PATH")
    }

    /// Runs `program ACTION` with `input` on stdin.
    private func run(_ action: String, input: Data) throws(SyncError) -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try executable())
        process.arguments = [action]
        process.environment = environment
        let stdin = Pipe()
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        do { try process.run() } catch {
            throw .credentialHelper(program, reason: "cannot run it: \(error.localizedDescription)")
        }
        // Drained on another thread, so a chatty helper never blocks on a full pipe while stdout is read.
        let errors = Locked(Data())
        let drained = DispatchSemaphore(value: 0)
        let errorReader = stderr.fileHandleForReading
        Thread.detachNewThread {
            let data = errorReader.readDataToEndOfFile()
            errors.withLock { $0 = data }
            drained.signal()
        }
        // A helper that exits without reading its input must not kill us with SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
        try? stdin.fileHandleForWriting.write(contentsOf: input)
        try? stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        drained.wait()
        process.waitUntilExit()
        return Outcome(
            status: process.terminationStatus, output: String(decoding: output, as: UTF8.self),
            errors: String(decoding: errors.current, as: UTF8.self))
    }
}
