// SPDX-License-Identifier: Apache-2.0
public import Foundation

/// A version order that parses each distinct string once: matching compares a package's version with the
/// events of every record naming it, and records repeat their versions, so after the first parse a
/// comparison is two lookups. Results and errors are the wrapped scheme's, thrown at the same points
/// (a string that does not parse is parsed again, and throws again, each time it is used).
///
/// Not generic itself, so calls through `any VersionScheme` reach code specialised for the scheme (made by
/// `VersionSchemes.memoized` from the concrete type). `@unchecked Sendable`: its cache is mutable, and it
/// stays confined to the one task that evaluates with it (a `VulnerabilityScanner`'s, or one
/// `OSVRecord.evaluate` call's).
final class MemoizedVersionScheme: VersionScheme, @unchecked Sendable {
    let name: String
    private let compareVersions: (String, String) throws -> ComparisonResult
    private let validateVersion: (String) throws -> Void

    init<Scheme: ParsedVersionScheme>(_ scheme: Scheme) {
        name = scheme.name
        let cache = ParsedVersions(scheme)
        compareVersions = { lhs, rhs in
            let left = try cache.parse(lhs)
            let right = try cache.parse(rhs)
            return left < right ? .orderedAscending : (right < left ? .orderedDescending : .orderedSame)
        }
        validateVersion = { _ = try cache.parse($0) }
    }

    func compare(_ lhs: String, _ rhs: String) throws -> ComparisonResult {
        try compareVersions(lhs, rhs)
    }

    func validate(_ version: String) throws {
        try validateVersion(version)
    }

    /// The parsed versions seen so far.
    private final class ParsedVersions<Scheme: ParsedVersionScheme> {
        let scheme: Scheme
        var parsed: [String: Scheme.Version] = [:]

        init(_ scheme: Scheme) {
            self.scheme = scheme
        }

        func parse(_ version: String) throws -> Scheme.Version {
            if let known = parsed[version] { return known }
            let value = try scheme.parse(version)
            parsed[version] = value
            return value
        }
    }
}

/// The version orders evaluation uses, each memoized (`MemoizedVersionScheme`) and made once: SemVer for
/// `SEMVER` ranges, and each ecosystem's own for `ECOSYSTEM` ranges. Confined to one task, as its schemes.
final class VersionSchemes {
    private var byEcosystem: [String: (any VersionScheme)?] = [:]
    private(set) lazy var semVer: any VersionScheme = MemoizedVersionScheme(SemVerScheme())

    /// `Ecosystem.scheme(for:)`, memoized.
    func scheme(for ecosystem: String) -> (any VersionScheme)? {
        if let known = byEcosystem[ecosystem] { return known }
        let found = Ecosystem.scheme(for: ecosystem).map(Self.memoized)
        byEcosystem[ecosystem] = found
        return found
    }

    /// `scheme` memoized, made from its concrete type (a scheme of another type is returned as it is).
    static func memoized(_ scheme: any VersionScheme) -> any VersionScheme {
        switch scheme {
        case let scheme as DpkgVersionScheme: MemoizedVersionScheme(scheme)
        case let scheme as APKVersionScheme: MemoizedVersionScheme(scheme)
        case let scheme as RPMVersionScheme: MemoizedVersionScheme(scheme)
        case let scheme as PEP440VersionScheme: MemoizedVersionScheme(scheme)
        case let scheme as SemVerScheme: MemoizedVersionScheme(scheme)
        case let scheme as GoVersionScheme: MemoizedVersionScheme(scheme)
        case let scheme as MavenVersionScheme: MemoizedVersionScheme(scheme)
        default: scheme
        }
    }
}
