// SPDX-License-Identifier: Apache-2.0

/// Go module version order: `vMAJOR.MINOR.PATCH[-prerelease][+incompatible]`.
///
/// Spec: https://go.dev/ref/mod#versions and golang.org/x/mod/semver. Pseudo-versions
/// (`v0.0.0-20220314234659-1baeb1ce4c0b`, `v1.2.4-0.2022…`) are pre-releases, so SemVer precedence
/// orders them; `+incompatible` is build metadata and ignored. The `v` is optional (OSV's Go records
/// omit it), and `vMAJOR` / `vMAJOR.MINOR` stand for `.0` (as x/mod/semver's shorthands).
public struct GoVersionScheme: ParsedVersionScheme {
    public var name: String { "Go" }

    public init() {}

    func parse(_ version: String) throws -> SemanticVersion {
        var text = Substring(version)
        if text.first == "v" { text = text.dropFirst() }
        let coreEnd = text.firstIndex(where: { $0 == "-" || $0 == "+" }) ?? text.endIndex
        let dots = text[..<coreEnd].filter { $0 == "." }.count
        if dots < 2 {
            guard coreEnd == text.endIndex else { throw invalid(version, "a shorthand version has no suffix") }
            text = Substring(text + String(repeating: ".0", count: 2 - dots))
        }
        switch SemanticVersion.parse(text) {
        case .success(let parsed):
            guard parsed.build.isEmpty || parsed.build.map({ String(decoding: $0, as: UTF8.self) }) == ["incompatible"]
            else { throw invalid(version, "build metadata other than +incompatible") }
            return parsed
        case .failure(let reason): throw invalid(version, reason.text)
        }
    }
}
