// SPDX-License-Identifier: Apache-2.0

/// SemVer 2.0.0 order, as npm and OSV's `SEMVER` ranges use it.
///
/// Spec: https://semver.org/spec/v2.0.0.html. The grammar is strict (no leading zeros, three
/// numbers); only a leading `v` or `=` is tolerated, as npm's parser does. Build metadata is ignored.
public struct SemVerScheme: ParsedVersionScheme {
    public var name: String { "SemVer" }

    public init() {}

    func parse(_ version: String) throws -> SemanticVersion {
        var text = Substring(version)
        if let first = text.first, first == "v" || first == "=" { text = text.dropFirst() }
        switch SemanticVersion.parse(text) {
        case .success(let parsed): return parsed
        case .failure(let reason): throw invalid(version, reason.text)
        }
    }
}
