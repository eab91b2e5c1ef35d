// SPDX-License-Identifier: Apache-2.0

/// What a signature's claimed identity (`docker-reference`, or a statement subject's name) must be.
public enum IdentityRequirement: Sendable, Hashable, CustomStringConvertible {
    /// The signature must name this repository: skopeo's `matchRepository` (the repositories compared after
    /// Docker's normalization, tags and digests ignored).
    case matchRepository(String)
    /// Any identity (the key and the digest still must match).
    case ignore

    /// Whether `claimed` satisfies this requirement.
    public func accepts(_ claimed: String) -> Bool {
        switch self {
        case .ignore: true
        case .matchRepository(let repository):
            DockerReference.repository(of: claimed) == DockerReference.repository(of: repository)
        }
    }

    public var description: String {
        switch self {
        case .ignore: "any identity"
        case .matchRepository(let repository): "repository \(DockerReference.repository(of: repository))"
        }
    }
}

/// Docker's reference normalization, as containers/image compares identities (`reference.ParseNormalizedNamed`).
public enum DockerReference {
    /// The normalized repository of a reference: tag and digest dropped; `docker.io` for a name without a
    /// registry, `library/` for a single Docker Hub component, `index.docker.io` read as `docker.io`.
    public static func repository(of reference: String) -> String {
        var name = reference
        if let at = name.firstIndex(of: "@") { name = String(name[..<at]) }
        if let colon = name.lastIndex(of: ":"), !name[colon...].contains("/") { name = String(name[..<colon]) }
        var components = name.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        let first = components.first ?? ""
        let hasRegistry =
            components.count > 1 && (first.contains(".") || first.contains(":") || first == "localhost")
        if !hasRegistry { components.insert("docker.io", at: 0) }
        if components[0] == "index.docker.io" { components[0] = "docker.io" }
        if components[0] == "docker.io", components.count == 2 { components.insert("library", at: 1) }
        return components.joined(separator: "/")
    }

    /// Whether `text` reads as a repository (`[HOST[:PORT]/]NAME[/NAME…]`, lowercase path components).
    public static func isRepository(_ text: String) -> Bool {
        let name = repository(of: text)
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count >= 2, !text.isEmpty else { return false }
        return parts.dropFirst().allSatisfy { part in
            !part.isEmpty && part.allSatisfy { $0.isLowercase || $0.isNumber || "._-".contains($0) }
        }
    }
}
