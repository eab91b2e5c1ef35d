// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import Layout
import OCICrypto
import Trust

/// The private key of `sign` and `attest`: a PEM file, encrypted in cosign's format (password from
/// --password-stdin, COSIGN_PASSWORD or a prompt) or not.
struct SigningKeyFlags: ParsableArguments {
    @Option(help: "The private key: cosign.key (cosign's encrypted format) or an unencrypted PEM key.")
    var key: String

    @Flag(help: "Read the key's password from the first line of standard input.")
    var passwordStdin = false

    /// Reads and, when encrypted, decrypts the key.
    func load() throws -> PrivateKey {
        guard let data = FileManager.default.contents(atPath: key) else {
            throw TrustError.keyFile(path: key, reason: "no such file, or it cannot be read")
        }
        let pem = String(decoding: data, as: UTF8.self)
        guard EncryptedPrivateKey.pemTypes.contains(where: { pem.contains("BEGIN \($0)") }) else {
            return try PrivateKey(pem: pem)
        }
        return try PrivateKey(pem: pem, password: Array(try password().utf8))
    }

    /// The password: --password-stdin, COSIGN_PASSWORD, or the terminal.
    private func password() throws -> String {
        if passwordStdin { return SecretInput.firstLineOfStandardInput() }
        if let password = ProcessInfo.processInfo.environment["COSIGN_PASSWORD"] { return password }
        guard SecretInput.isTerminal else {
            throw ValidationError(
                "the key is encrypted and there is no password: set COSIGN_PASSWORD, pass --password-stdin, or run "
                    + "on a terminal to be asked")
        }
        return try SecretInput.typedOnce("password for \(key): ")
    }
}

/// The public keys of `verify` and `verify-attestation`.
struct VerifyKeyFlags: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "A public key file, or a directory of them (*.pub, *.pem); repeatable or comma-separated: any of them may sign.",
            valueName: "key"))
    var key: [String] = []

    func validate() throws {
        guard !key.isEmpty else { throw ValidationError("name the public key(s) with --key (a file or a directory)") }
    }

    func load() throws -> [PublicKey] {
        try TrustKeys.load(paths: key.flatMap { $0.split(separator: ",").map(String.init) })
    }
}

/// The identity a signature names (`--identity`), or none required (`--ignore-identity`).
struct IdentityFlags: ParsableArguments {
    @Option(help: "The repository the signature names (default for docker://: that repository; a layout or archive has none).")
    var identity: String?

    @Flag(help: "Accept a signature whatever repository it names (verification only).")
    var ignoreIdentity = false

    /// The identity to sign with: `identity`, else the registry repository.
    static func signingIdentity(_ identity: String?, for reference: ImageReference) throws -> String {
        if let identity { return identity }
        if case .registry(let host, let repository, _) = reference { return "\(host)/\(repository)" }
        throw ValidationError(
            "\(reference) has no repository name for the signature to claim: pass --identity REPO (the repository "
                + "the image is published as, e.g. registry.example/team/app)")
    }

    /// What verification requires: --ignore-identity, --identity, else the registry repository.
    func requirement(for reference: ImageReference) throws -> IdentityRequirement {
        if ignoreIdentity { return .ignore }
        if let identity { return .matchRepository(identity) }
        if case .registry(let host, let repository, _) = reference { return .matchRepository("\(host)/\(repository)") }
        throw ValidationError(
            "\(reference) has no repository name to check the signature's identity against: pass --identity REPO, "
                + "or --ignore-identity to accept any")
    }

    func validate() throws {
        if ignoreIdentity, identity != nil { throw ValidationError("--identity and --ignore-identity exclude each other") }
    }
}

/// `--format legacy|bundle|both` of sign and attest.
enum SignatureFormatArgument: String, ExpressibleByArgument, CaseIterable {
    case legacy, bundle, both

    var format: SignatureFormat {
        switch self {
        case .legacy: .legacy
        case .bundle: .bundle
        case .both: .both
        }
    }
}

/// `--annotation k=v` pairs.
enum AnnotationPairs {
    static func parse(_ pairs: [String]) throws -> [String: String] {
        var annotations: [String: String] = [:]
        for pair in pairs {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty else { throw ValidationError("annotation '\(pair)' is not key=value") }
            annotations[String(parts[0])] = String(parts[1])
        }
        return annotations
    }
}
