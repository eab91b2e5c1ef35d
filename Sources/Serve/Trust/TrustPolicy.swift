// SPDX-License-Identifier: Apache-2.0
import Layout
import Trust

/// The `trust:` rules ready to judge: each with its repository globs and the verifier of its keys (loaded once,
/// when the server is built).
struct TrustPolicy: Sendable {
    /// One rule.
    struct Rule: Sendable {
        /// Repository globs (`AccessControl.glob`).
        let repositories: [String]
        /// Checks an image's signatures.
        let verifier: SignatureVerifier
        /// What signatures must name.
        let identity: TrustRule.Identity
        /// How a refusal names the rule: `trust[0] (prod/**)`.
        let name: String
    }

    let rules: [Rule]

    /// Loads every rule's keys.
    /// - Throws: `ConfigurationError` naming the rule and the key that cannot be used.
    init(_ configured: [TrustRule]) throws(ConfigurationError) {
        var rules: [Rule] = []
        for (index, rule) in configured.enumerated() {
            let name = "trust[\(index)] (\(rule.repositories.joined(separator: ", ")))"
            do {
                let keys = try TrustKeys.load(paths: rule.keys)
                rules.append(Rule(
                    repositories: rule.repositories, verifier: SignatureVerifier(keys: keys), identity: rule.identity,
                    name: name))
            } catch {
                throw ConfigurationError("trust[\(index)].keys: \(error)")
            }
        }
        self.rules = rules
    }

    /// Rules given directly (tests inject verifiers this way).
    init(rules: [Rule]) { self.rules = rules }

    /// The rule for `repository`: the first whose globs match it; nil when the repository is not gated.
    func rule(for repository: String) -> Rule? {
        rules.first { $0.repositories.contains { AccessControl.glob($0, matches: repository) } }
    }
}

extension TrustPolicy.Rule {
    /// Why `descriptor` (a manifest of `repository`, read through `source`) may not be served; nil when a
    /// signature by one of the keys holds for it and names the repository (on any host) or, with `any`,
    /// anything.
    func refusal(of descriptor: Descriptor, in source: any ImageSource, repository: String) throws -> String? {
        let report = try verifier.verify(descriptor, in: source, identity: .ignore)
        let valid = report.valid.filter { candidate in
            identity == .any || candidate.signedIdentity.map { Self.path(of: $0) == repository } == true
        }
        guard valid.isEmpty else { return nil }
        if let named = report.valid.first?.signedIdentity {
            return "its signature names \(named), not the repository \(repository)"
        }
        do {
            try report.requireVerified()
            return "no valid signature"
        } catch {
            return "\(error)"
        }
    }

    /// The repository path of a signed `docker-reference`, without the registry host: `prod/app` for
    /// `registry.example:5000/prod/app:1.0`.
    static func path(of reference: String) -> String {
        let normalized = DockerReference.repository(of: reference)
        guard let slash = normalized.firstIndex(of: "/") else { return normalized }
        let path = String(normalized[normalized.index(after: slash)...])
        // Docker Hub's official images: `app` is `docker.io/library/app`.
        if normalized.hasPrefix("docker.io/library/"), path.split(separator: "/").count == 2 {
            return String(path.dropFirst("library/".count))
        }
        return path
    }
}
