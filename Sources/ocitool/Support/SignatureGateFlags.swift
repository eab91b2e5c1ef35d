// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Layout
import Trust

/// `--require-signature KEY[,KEY]` and `--signature-identity REPO`: the promotion gate of copy, sync and import.
struct SignatureGateFlags: ParsableArguments {
    @Option(
        name: .customLong("require-signature"),
        help: ArgumentHelp(
            "Copy only images with a valid signature by one of these public keys (PEM files, or directories of "
                + "*.pub; comma-separated or repeated).",
            valueName: "KEY[,KEY]"))
    var keys: [String] = []

    @Option(
        help: ArgumentHelp(
            "The repository required signatures must name (default: the source repository for docker://, any "
                + "for a layout or archive).",
            valueName: "REPO"))
    var signatureIdentity: String?

    func validate() throws {
        if signatureIdentity != nil, paths.isEmpty {
            throw ValidationError("--signature-identity applies to --require-signature KEY")
        }
        if let signatureIdentity, !DockerReference.isRepository(signatureIdentity) {
            throw ValidationError("--signature-identity \(signatureIdentity) is not a repository (HOST/NAME)")
        }
    }

    /// The key paths given, commas split.
    var paths: [String] {
        keys.flatMap { $0.split(separator: ",").map(String.init) }.filter { !$0.isEmpty }
    }

    /// The gate for images read from `source`; nil without --require-signature. Keys are read here, before
    /// anything is copied.
    /// - Throws: `TrustError.keyFile`/`.noKeys` for a key that cannot be used.
    func gate(for source: ImageReference) throws -> (any CopyGate)? {
        let paths = self.paths
        guard !paths.isEmpty else { return nil }
        let verifier = SignatureVerifier(keys: try TrustKeys.load(paths: paths))
        return SignatureRequirement(verifier: verifier, identity: identity(for: source))
    }

    /// --signature-identity, else the source's repository for a registry (skopeo's matchRepository), else any.
    func identity(for source: ImageReference) -> IdentityRequirement {
        if let signatureIdentity { return .matchRepository(signatureIdentity) }
        if case .registry(let host, let repository, _) = source { return .matchRepository("\(host)/\(repository)") }
        return .ignore
    }
}
