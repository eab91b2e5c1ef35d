// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import Glibc
import Layout
import OCICrypto

struct KeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key",
        abstract: "Create signing keys in cosign's format.",
        subcommands: [KeyGenerate.self]
    )
}

struct KeyGenerate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate an ECDSA P-256 key pair: PREFIX.key (encrypted) and PREFIX.pub.",
        discussion: """
            PREFIX.key is the private key in cosign's encrypted format (PEM 'ENCRYPTED SIGSTORE PRIVATE KEY': scrypt \
            N=65536 r=8 p=1 and nacl/secretbox over the PKCS#8 key), written with mode 0600; cosign reads it, and \
            ocitool reads cosign's. PREFIX.pub is the public key (PEM 'PUBLIC KEY'). Neither file is replaced \
            unless --force is given, and nothing is written on failure.

            The password comes from the first line of standard input with --password-stdin, else from \
            COSIGN_PASSWORD when it is set (even empty), else from a prompt on the terminal (typed twice, never \
            echoed).

            Examples:
              ocitool key generate
              COSIGN_PASSWORD="$PW" ocitool key generate --output-prefix release
              echo "$PW" | ocitool key generate --password-stdin --output-prefix ci/signing
            """.reflowed
    )

    @Option(help: "Write PREFIX.key and PREFIX.pub.")
    var outputPrefix = "cosign"

    @Flag(help: "Read the password from the first line of standard input.")
    var passwordStdin = false

    @Flag(help: "Replace existing PREFIX.key and PREFIX.pub.")
    var force = false

    func run() throws {
        let keyPath = outputPrefix + ".key"
        let publicPath = outputPrefix + ".pub"
        if !force, let existing = [keyPath, publicPath].first(where: { FileManager.default.fileExists(atPath: $0) }) {
            Console.error("\(existing) exists", hint: "pass --force to replace it, or choose another --output-prefix")
            throw ExitCode(1)
        }
        let password = try password()
        let key = try PrivateKey.generate(.ecdsaP256)
        let sealed = try EncryptedPrivateKey.seal(key, password: Array(password.utf8))
        try KeyFiles.write([(keyPath, sealed, 0o600), (publicPath, key.publicKey.pem, 0o644)], replace: force)
        Console.write(
            "wrote \(keyPath) (encrypted \(key.algorithm) private key) and \(publicPath)\n"
                + "key hint: \(key.publicKey.hint)\n")
    }

    /// The password: --password-stdin, COSIGN_PASSWORD, or the terminal.
    private func password() throws -> String {
        if passwordStdin { return SecretInput.firstLineOfStandardInput() }
        if let password = ProcessInfo.processInfo.environment["COSIGN_PASSWORD"] { return password }
        guard SecretInput.isTerminal else {
            throw ValidationError(
                "no password: set COSIGN_PASSWORD, pass --password-stdin, or run on a terminal to be asked")
        }
        return try SecretInput.typedTwice()
    }
}

/// Writing key files all or nothing: each goes to a temporary file beside it (created with its mode), then is
/// linked into place (which fails if the file exists) or, when replacing, renamed over it. If one fails, the
/// ones already placed are removed again.
enum KeyFiles {
    static func write(_ files: [(path: String, contents: String, mode: mode_t)], replace: Bool) throws {
        var temporaries: [String] = []
        var placed: [String] = []
        defer { for path in temporaries { unlink(path) } }
        do {
            for file in files {
                let temporary = file.path + ".tmp-\(getpid())-\(temporaries.count)"
                try writeNew(temporary, file.contents, mode: file.mode)
                temporaries.append(temporary)
            }
            for (file, temporary) in zip(files, temporaries) {
                let result = replace ? rename(temporary, file.path) : link(temporary, file.path)
                guard result == 0 else {
                    throw LayoutError.io(replace ? "rename" : "link", path: file.path, errno: errno)
                }
                placed.append(file.path)
            }
        } catch {
            if !replace { for path in placed { unlink(path) } }
            throw error
        }
    }

    /// Creates `path` (which must not exist) with `mode` and writes `contents`.
    private static func writeNew(_ path: String, _ contents: String, mode: mode_t) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw LayoutError.io("create", path: path, errno: errno) }
        defer { close(descriptor) }
        guard fchmod(descriptor, mode) == 0 else { throw LayoutError.io("chmod", path: path, errno: errno) }
        let bytes = Array(contents.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { throw LayoutError.io("write", path: path, errno: errno) }
            offset += written
        }
        guard fsync(descriptor) == 0 else { throw LayoutError.io("fsync", path: path, errno: errno) }
    }
}
