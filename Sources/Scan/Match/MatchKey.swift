// SPDX-License-Identifier: Apache-2.0

/// How a package is looked up in the vulnerability database: an OSV ecosystem, the name records use
/// there, and the version to evaluate.
public struct MatchKey: Hashable, Sendable, CustomStringConvertible {
    public var ecosystem: String
    public var name: String
    public var version: String

    public init(ecosystem: String, name: String, version: String) {
        self.ecosystem = ecosystem
        self.name = name
        self.version = version
    }

    public var description: String { "\(ecosystem) \(name) \(version)" }
}

extension CatalogedPackage {
    /// The lookup key, or nil when the package has no OSV ecosystem (reported as not matched).
    ///
    /// Debian records are keyed by source package and its version (`sourceName ?? name`,
    /// `sourceVersion ?? version`), Alpine ones by origin (`o:`); other ecosystems by the package's
    /// own name (PyPI names are normalised by the lookup).
    public var matchKey: MatchKey? {
        guard let ecosystem, !ecosystem.isEmpty else { return nil }
        switch kind {
        case .deb: return MatchKey(ecosystem: ecosystem, name: sourceName ?? name, version: sourceVersion ?? version)
        case .apk: return MatchKey(ecosystem: ecosystem, name: sourceName ?? name, version: version)
        case .go:
            // Go module versions carry a `v`; OSV's do not (the Go order accepts both). The toolchain's
            // `go1.21.0` is OSV's `stdlib` 1.21.0.
            let version = self.version.hasPrefix("go") ? String(self.version.dropFirst(2)) : self.version
            return MatchKey(ecosystem: ecosystem, name: name, version: version)
        default: return MatchKey(ecosystem: ecosystem, name: name, version: version)
        }
    }
}
