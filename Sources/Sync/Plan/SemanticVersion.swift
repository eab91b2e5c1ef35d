// SPDX-License-Identifier: Apache-2.0

/// A tag read as a semantic version: `[v]MAJOR[.MINOR[.PATCH]][-PRERELEASE][+BUILD]`.
///
/// Image tags often leave parts out (`1.25`, `3`), so missing minor and patch numbers count as 0 (`1.25` is
/// 1.25.0) and `precision` remembers how many were given (ranges read `1.2` as "any 1.2.x"). Precedence
/// follows SemVer 2.0: numbers, then a pre-release sorts before its release, identifiers compared one by one
/// (numeric ones numerically and below alphanumeric ones); build metadata is ignored.
///
/// Spec: https://semver.org/spec/v2.0.0.html#spec-item-11
public struct SemanticVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var major: Int
    public var minor: Int
    public var patch: Int
    /// Dot-separated pre-release identifiers (`rc.1` is `["rc", "1"]`); empty for a release.
    public var prerelease: [String]
    /// Build metadata after `+` (ignored for precedence).
    public var build: String?
    /// How many of major, minor and patch the text gave (1 to 3).
    public var precision: Int

    public init(
        major: Int, minor: Int = 0, patch: Int = 0, prerelease: [String] = [], build: String? = nil, precision: Int = 3
    ) {
        self.major = major
        self.minor = minor
        self.patch = patch
        self.prerelease = prerelease
        self.build = build
        self.precision = max(1, min(3, precision))
    }

    /// Parses a tag, with an optional leading `v` or `V`; nil when it is not a version (`latest`, `1.2.3.4`,
    /// `1..2`, `01a`).
    public init?(_ text: some StringProtocol) {
        var rest = Substring(text)
        if rest.first == "v" || rest.first == "V" { rest = rest.dropFirst() }
        var build: String?
        if let plus = rest.firstIndex(of: "+") {
            let metadata = rest[rest.index(after: plus)...]
            guard SemanticVersion.isIdentifierList(metadata) else { return nil }
            build = String(metadata)
            rest = rest[..<plus]
        }
        var prerelease: [String] = []
        if let dash = rest.firstIndex(of: "-") {
            let identifiers = rest[rest.index(after: dash)...]
            guard SemanticVersion.isIdentifierList(identifiers) else { return nil }
            prerelease = identifiers.split(separator: ".").map(String.init)
            rest = rest[..<dash]
        }
        let parts = rest.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...3).contains(parts.count) else { return nil }
        var numbers: [Int] = []
        for part in parts {
            guard let number = SemanticVersion.number(part) else { return nil }
            numbers.append(number)
        }
        numbers += Array(repeating: 0, count: 3 - numbers.count)
        self.init(
            major: numbers[0], minor: numbers[1], patch: numbers[2], prerelease: prerelease, build: build,
            precision: parts.count)
    }

    /// `MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]`, the parts left out of the text filled with 0.
    public var description: String {
        var text = "\(major).\(minor).\(patch)"
        if !prerelease.isEmpty { text += "-" + prerelease.joined(separator: ".") }
        if let build { text += "+" + build }
        return text
    }

    /// Whether this is a pre-release (`1.0.0-rc.1`).
    public var isPrerelease: Bool { !prerelease.isEmpty }

    /// Major, minor and patch, for comparing the release a pre-release belongs to.
    var release: [Int] { [major, minor, patch] }

    public static func < (lhs: SemanticVersion, rhs: SemanticVersion) -> Bool {
        if lhs.release != rhs.release { return lhs.release.lexicographicallyPrecedes(rhs.release) }
        switch (lhs.prerelease.isEmpty, rhs.prerelease.isEmpty) {
        case (true, _): return false
        case (false, true): return true
        case (false, false): break
        }
        for (left, right) in zip(lhs.prerelease, rhs.prerelease) where left != right {
            switch (Int(left), Int(right)) {
            case (let a?, let b?): return a < b
            case (.some, .none): return true
            case (.none, .some): return false
            case (.none, .none): return left < right
            }
        }
        return lhs.prerelease.count < rhs.prerelease.count
    }

    /// Equal precedence (build metadata and precision ignored).
    public static func == (lhs: SemanticVersion, rhs: SemanticVersion) -> Bool {
        lhs.release == rhs.release && lhs.prerelease == rhs.prerelease
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(release)
        hasher.combine(prerelease)
    }

    /// Digits only, at most 9 of them (so any sum stays in range).
    static func number(_ text: some StringProtocol) -> Int? {
        guard !text.isEmpty, text.count <= 9, text.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(text)
    }

    /// Non-empty dot-separated identifiers of `[0-9A-Za-z-]`.
    private static func isIdentifierList(_ text: Substring) -> Bool {
        let identifiers = text.split(separator: ".", omittingEmptySubsequences: false)
        return identifiers.allSatisfy { identifier in
            !identifier.isEmpty && identifier.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
    }
}
