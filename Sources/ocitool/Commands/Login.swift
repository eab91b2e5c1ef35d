// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import Sync

struct Login: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login",
        abstract: "Check credentials against a registry and store them in the auth file.",
        discussion: """
            Writes the docker config.json format ($REGISTRY_AUTH_FILE, else ~/.docker/config.json, or --authfile),
            which skopeo, podman and docker read too. When that file names a credential helper for the registry
            (credHelpers, else credsStore), the credentials go to docker-credential-NAME instead, as with docker.
            The password comes from standard input with --password-stdin, so it stays out of shell history.

            Examples:
              echo "$TOKEN" | ocitool login --username ci --password-stdin \\
                  registry.local:5000
              ocitool login --plain-http --username admin --password-stdin 127.0.0.1:5000 \\
                  < pass.txt
            """.reflowed
    )

    @Argument(help: "The registry: HOST[:PORT] (a scheme and a path are dropped, as docker does).")
    var registry: String

    @Option(help: "The user name.")
    var username: String

    @Flag(help: "Read the password from standard input.")
    var passwordStdin = false

    @OptionGroup(title: "Registry options") var flags: RegistryFlags

    func validate() throws {
        guard !RegistryLogin.host(registry).isEmpty else { throw ValidationError("name a registry: HOST[:PORT]") }
        guard passwordStdin else { throw ValidationError("pass the password on standard input with --password-stdin") }
        guard !flags.noCreds else { throw ValidationError("login stores credentials: --no-creds does not apply") }
    }

    func run() throws {
        let input = FileHandle.standardInput.readDataToEndOfFile()
        let password = String(decoding: input, as: UTF8.self).trimmingCharacters(in: .newlines)
        let host = RegistryLogin.host(registry)
        let path: String
        do {
            path = try RegistryLogin.login(
                registry: host, credentials: Credentials(username: username, password: password),
                options: try flags.options())
        } catch {
            guard case .authenticationFailed = error else { throw error }
            // Logging in is what the usual hint suggests; what is left to check is what was typed.
            Console.error(error.description, hint: "check the user name and password (and the registry's token service)")
            throw ExitCode(1)
        }
        Console.write("login succeeded for \(username) at \(host); credentials stored in \(path)\n")
    }
}

struct Logout: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logout",
        abstract: "Remove a registry's stored credentials.",
        discussion: """
            Removes the auth file's entry, and erases the credentials from the credential helper the auth file
            names for the registry, if any.

            Example:
              ocitool logout registry.local:5000
            """.reflowed
    )

    @Argument(help: "The registry host[:port].")
    var registry: String

    @OptionGroup(title: "Registry options") var flags: RegistryFlags

    func validate() throws {
        guard !RegistryLogin.host(registry).isEmpty else { throw ValidationError("name a registry: HOST[:PORT]") }
        guard !flags.noCreds else { throw ValidationError("logout erases credentials: --no-creds does not apply") }
    }

    func run() throws {
        let host = RegistryLogin.host(registry)
        if let path = try RegistryLogin.logout(registry: host, options: try flags.options()) {
            Console.write("removed the credentials for \(host) from \(path)\n")
        } else {
            Console.write("no credentials were stored for \(host)\n")
        }
    }
}
