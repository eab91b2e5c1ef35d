// SPDX-License-Identifier: Apache-2.0
import YAMLConfig
import Yams

/// One rule of the `trust:` section: the manifests of repositories matching `repositories` are served only
/// when signed by one of `keys` (pushes are still accepted: signatures arrive after their image).
///
/// ```yaml
/// trust:
///   - repositories: ["prod/**", "release/*"]
///     keys: [/etc/ocitool/keys/release.pub, /etc/ocitool/keys/ci/]
///     identity: repository        # or: any
/// ```
public struct TrustRule: Sendable, Hashable {
    /// What a signature's `docker-reference` must name.
    public enum Identity: String, Sendable, Hashable {
        /// The repository served, on any registry host (`HOST/prod/app` for `prod/app`): a mirror or a renamed
        /// host keeps its signatures valid.
        case repository
        /// Anything: the key and the digest decide alone.
        case any
    }

    /// Repository globs, as in `auth.access` (`*` within a path component, `**` across them).
    public var repositories: [String]
    /// Public key files (PEM) or directories of `*.pub`/`*.pem` files; any of them may sign.
    public var keys: [String]
    /// What signatures must name (default: the repository served).
    public var identity: Identity

    public init(repositories: [String], keys: [String], identity: Identity = .repository) {
        self.repositories = repositories
        self.keys = keys
        self.identity = identity
    }
}

extension ServeConfiguration {
    /// Reads `trust:`: a list of rules; the first whose globs match a repository applies to it.
    static func readTrust(_ node: Node, _ reader: ConfigReader) throws(ConfigurationError) -> [TrustRule] {
        guard let sequence = node.sequence else { throw reader.error(node, "'trust' must be a list of rules") }
        var rules: [TrustRule] = []
        for (index, item) in sequence.enumerated() {
            let path = "trust[\(index)]"
            let entries = try reader.mapping(item, path, allowed: ["repositories", "keys", "identity"])
            guard let repositories = entries["repositories"], let keys = entries["keys"] else {
                throw reader.error(item, "'\(path)' needs 'repositories' and 'keys'")
            }
            var keyPaths: [String] = []
            for (position, key) in (keys.sequence.map(Array.init) ?? [keys]).enumerated() {
                keyPaths.append(try reader.path(key, "\(path).keys[\(position)]"))
            }
            var rule = TrustRule(
                repositories: try reader.strings(repositories, path + ".repositories"), keys: keyPaths)
            if let node = entries["identity"] {
                guard let identity = TrustRule.Identity(rawValue: try reader.string(node, path + ".identity")) else {
                    throw reader.error(node, "'\(path).identity' must be repository or any")
                }
                rule.identity = identity
            }
            guard !rule.repositories.isEmpty else { throw reader.error(repositories, "'\(path).repositories' is empty") }
            guard !rule.keys.isEmpty else { throw reader.error(keys, "'\(path).keys' is empty") }
            rules.append(rule)
        }
        return rules
    }
}
