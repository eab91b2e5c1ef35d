// SPDX-License-Identifier: Apache-2.0
import Foundation

/// A range of semantic versions in npm's notation: comparators separated by spaces (or commas) must all hold,
/// alternatives are separated by `||`.
///
/// | text | means |
/// |---|---|
/// | `>=1.2 <2` | at least 1.2.0, below 2.0.0 |
/// | `1.2`, `=1.2`, `1.2.x`, `1.2.*` | any 1.2.x |
/// | `1.2.3` | exactly 1.2.3 |
/// | `>1.2` / `<=1.2` | 1.3.0 and above / below 1.3.0 (a partial version stands for all its releases) |
/// | `~1.2.3` | at least 1.2.3, below 1.3.0 |
/// | `^1.2.3`, `^0.2.3`, `^0.0.3` | below the next major / minor (0.x) / patch (0.0.x) |
/// | `1.2 - 2.3` | at least 1.2.0, up to any 2.3.x |
/// | `*` | every release |
///
/// As in npm, a pre-release (`2.0.0-rc.1`) is in a range only when some comparator of the same alternative
/// names a pre-release of the same major.minor.patch (`>=2.0.0-rc.0`): `>=1.2 <2` keeps releases only.
///
/// Spec: https://github.com/npm/node-semver#ranges
public struct VersionRange: Sendable, Hashable, CustomStringConvertible {
    /// One bound: `>=1.2.0`, `<2.0.0`, `=1.2.3`.
    struct Comparator: Sendable, Hashable {
        enum Operator: String, Sendable { case less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">=", equal = "=" }
        var op: Operator
        var version: SemanticVersion

        func matches(_ candidate: SemanticVersion) -> Bool {
            switch op {
            case .less: candidate < version
            case .lessOrEqual: candidate < version || candidate == version
            case .greater: version < candidate
            case .greaterOrEqual: version < candidate || candidate == version
            case .equal: candidate == version
            }
        }
    }

    /// Alternatives (`||`), each a conjunction of comparators (empty: any release).
    let alternatives: [[Comparator]]
    /// The text as given.
    public let description: String

    /// Parses a range.
    /// - Throws: `.invalidArgument("invalid version range '…': …")` naming the part that is not understood.
    public init(_ text: String) throws(SyncError) {
        description = text
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw .invalidArgument("invalid version range '': the range is empty") }
        var alternatives: [[Comparator]] = []
        for alternative in trimmed.components(separatedBy: "||") {
            do throws(RangeError) {
                alternatives.append(try VersionRange.conjunction(alternative))
            } catch {
                throw .invalidArgument("invalid version range '\(text)': \(error.reason)")
            }
        }
        self.alternatives = alternatives
    }

    /// Whether `version` is in the range.
    public func contains(_ version: SemanticVersion) -> Bool {
        alternatives.contains { comparators in
            guard comparators.allSatisfy({ $0.matches(version) }) else { return false }
            guard version.isPrerelease else { return true }
            return comparators.contains { $0.version.isPrerelease && $0.version.release == version.release }
        }
    }

    // MARK: - Parsing

    private struct RangeError: Error { var reason: String }

    private static func conjunction(_ text: String) throws(RangeError) -> [Comparator] {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\t" }).map(String.init)
        guard !words.isEmpty else { throw RangeError(reason: "an alternative between '||' is empty") }
        if words.count == 3, words[1] == "-" {
            return try hyphen(words[0], words[2])
        }
        // An operator written apart from its version (`>= 1.2`) is joined to it.
        var tokens: [String] = []
        var pending = ""
        for word in words {
            if word.allSatisfy({ "<>=~^".contains($0) }) {
                guard pending.isEmpty else { throw RangeError(reason: "'\(pending)' is followed by another operator") }
                pending = word
            } else {
                tokens.append(pending + word)
                pending = ""
            }
        }
        guard pending.isEmpty else { throw RangeError(reason: "'\(pending)' is not followed by a version") }
        var comparators: [Comparator] = []
        for token in tokens { comparators += try expand(token) }
        return comparators
    }

    /// `A - B`: at least A, up to B (a partial B includes all its releases).
    private static func hyphen(_ low: String, _ high: String) throws(RangeError) -> [Comparator] {
        var result: [Comparator] = []
        if let lower = try partial(low, after: "") { result.append(Comparator(op: .greaterOrEqual, version: lower)) }
        if let upper = try partial(high, after: "") {
            result.append(
                upper.precision == 3
                    ? Comparator(op: .lessOrEqual, version: upper) : Comparator(op: .less, version: next(upper)))
        }
        return result
    }

    /// One token (`>=1.2`, `^1.2.3`, `1.x`) as plain comparators.
    private static func expand(_ token: String) throws(RangeError) -> [Comparator] {
        let operatorText = String(token.prefix { "<>=~^".contains($0) })
        let versionText = String(token.dropFirst(operatorText.count))
        guard let version = try partial(versionText, after: operatorText) else {
            // `*`, `x`: anything (with `<*` or `>*` nothing, which no one means).
            guard ["", "=", ">="].contains(operatorText) else {
                throw RangeError(reason: "'\(token)' matches no version")
            }
            return []
        }
        let exact = version.precision == 3
        switch operatorText {
        case "", "=":
            return exact ? [Comparator(op: .equal, version: version)] : bounds(version, next(version))
        case ">=": return [Comparator(op: .greaterOrEqual, version: version)]
        case ">": return [exact ? Comparator(op: .greater, version: version) : Comparator(op: .greaterOrEqual, version: next(version))]
        case "<": return [Comparator(op: .less, version: version)]
        case "<=": return [exact ? Comparator(op: .lessOrEqual, version: version) : Comparator(op: .less, version: next(version))]
        case "~":
            let upper = version.precision == 1
                ? SemanticVersion(major: version.major + 1) : SemanticVersion(major: version.major, minor: version.minor + 1)
            return bounds(version, upper)
        case "^":
            let upper: SemanticVersion
            if version.major > 0 || version.precision == 1 {
                upper = SemanticVersion(major: version.major + 1)
            } else if version.minor > 0 || version.precision == 2 {
                upper = SemanticVersion(major: 0, minor: version.minor + 1)
            } else {
                upper = SemanticVersion(major: 0, minor: 0, patch: version.patch + 1)
            }
            return bounds(version, upper)
        default:
            throw RangeError(reason: "'\(operatorText)' is not an operator (use <, <=, >, >=, =, ~ or ^)")
        }
    }

    private static func bounds(_ lower: SemanticVersion, _ upper: SemanticVersion) -> [Comparator] {
        [Comparator(op: .greaterOrEqual, version: lower), Comparator(op: .less, version: upper)]
    }

    /// The first release after every release a partial version stands for (`1.2` → 1.3.0, `1` → 2.0.0).
    private static func next(_ version: SemanticVersion) -> SemanticVersion {
        switch version.precision {
        case 1: SemanticVersion(major: version.major + 1)
        case 2: SemanticVersion(major: version.major, minor: version.minor + 1)
        default: SemanticVersion(major: version.major, minor: version.minor, patch: version.patch + 1)
        }
    }

    /// A version whose trailing parts may be `x`, `X` or `*` (or left out); nil for a bare wildcard.
    private static func partial(_ text: String, after op: String) throws(RangeError) -> SemanticVersion? {
        guard !text.isEmpty else { throw RangeError(reason: "'\(op)' is not followed by a version") }
        var core = Substring(text)
        if core.first == "v" || core.first == "V" { core = core.dropFirst() }
        let suffixStart = core.firstIndex { $0 == "-" || $0 == "+" } ?? core.endIndex
        let parts = core[..<suffixStart].split(separator: ".", omittingEmptySubsequences: false)
        let wildcards: Set<Substring> = ["x", "X", "*"]
        let given = parts.prefix { !wildcards.contains($0) }
        guard parts.dropFirst(given.count).allSatisfy({ wildcards.contains($0) }) else {
            throw RangeError(reason: "'\(text)' is not a version (a wildcard may only end it, as in 1.x)")
        }
        if given.isEmpty {
            guard suffixStart == core.endIndex, parts.count <= 3 else {
                throw RangeError(reason: "'\(text)' is not a version")
            }
            return nil
        }
        let canonical = given.joined(separator: ".") + (given.count == parts.count ? core[suffixStart...] : "")
        guard parts.count <= 3, let version = SemanticVersion(canonical) else {
            throw RangeError(reason: "'\(text)' is not a version (expected MAJOR[.MINOR[.PATCH]][-PRERELEASE])")
        }
        return version
    }
}
