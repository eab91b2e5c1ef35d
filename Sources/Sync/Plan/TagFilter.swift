// SPDX-License-Identifier: Apache-2.0

/// Which tags of a repository a sync takes, applied in this order:
/// 1. `allow`: when not empty, a tag must match at least one of these regular expressions;
/// 2. `deny`: a tag matching any of these is dropped;
/// 3. `semver`: a tag must read as a semantic version (optional leading `v`, `1.2` is 1.2.0) inside the range;
/// 4. `latest`: the N highest remaining tags: by version when every one reads as a version, else by name.
///
/// Expressions match anywhere in the tag (as skopeo's `images-by-tag-regex` does): anchor them with `^…$` to
/// match whole tags. The syntax is Swift's `Regex` (PCRE-like: `\d`, `(?:…)`, `[[:alpha:]]`, …).
public struct TagFilter: Sendable, CustomStringConvertible {
    /// Expressions a tag must match one of (all tags when empty).
    public let allow: [String]
    /// Expressions no tag may match.
    public let deny: [String]
    /// The versions to keep, if any.
    public let semver: VersionRange?
    /// How many of the highest tags to keep, if limited.
    public let latest: Int?

    private let allowed: [Pattern]
    private let denied: [Pattern]

    /// Every tag.
    public static let all = TagFilter()

    private init() {
        allow = []
        deny = []
        semver = nil
        latest = nil
        allowed = []
        denied = []
    }

    /// - Throws: `.invalidArgument` naming an expression that does not compile, a range that does not parse,
    ///   or a `latest` below 1.
    public init(allow: [String] = [], deny: [String] = [], semver: String? = nil, latest: Int? = nil)
        throws(SyncError)
    {
        self.allow = allow
        self.deny = deny
        self.semver = try semver.map { (text) throws(SyncError) in try VersionRange(text) }
        if let latest, latest < 1 { throw .invalidArgument("latest must be at least 1, not \(latest)") }
        self.latest = latest
        allowed = try allow.map { (text) throws(SyncError) in try Pattern(text) }
        denied = try deny.map { (text) throws(SyncError) in try Pattern(text) }
    }

    /// The tags this filter keeps, in ascending order (by version when every tag kept reads as one, else by
    /// name), each once.
    public func apply(_ tags: [String]) -> [String] {
        var kept = Set(tags).filter { tag in
            (allowed.isEmpty || allowed.contains { $0.matches(tag) }) && !denied.contains { $0.matches(tag) }
        }
        if let semver {
            kept = kept.filter { SemanticVersion($0).map(semver.contains) ?? false }
        }
        let sorted = TagFilter.ordered(Array(kept))
        guard let latest else { return sorted }
        return Array(sorted.suffix(latest))
    }

    /// Ascending by version when every tag reads as one (ties, such as `1.2` and `v1.2.0`, by name), else by
    /// name.
    public static func ordered(_ tags: [String]) -> [String] {
        let versions = tags.map { SemanticVersion($0) }
        guard versions.allSatisfy({ $0 != nil }) else { return tags.sorted() }
        return zip(tags, versions).sorted { left, right in
            guard let a = left.1, let b = right.1 else { return left.0 < right.0 }
            return a == b ? left.0 < right.0 : a < b
        }.map(\.0)
    }

    public var description: String {
        var parts: [String] = []
        if !allow.isEmpty { parts.append("allow " + allow.joined(separator: ", ")) }
        if !deny.isEmpty { parts.append("deny " + deny.joined(separator: ", ")) }
        if let semver { parts.append("semver \(semver)") }
        if let latest { parts.append("latest \(latest)") }
        return parts.isEmpty ? "all tags" : parts.joined(separator: "; ")
    }

    /// A compiled expression.
    private struct Pattern: @unchecked Sendable {
        // `@unchecked`: a `Regex` is a value that is only read after compilation.
        let regex: Regex<AnyRegexOutput>

        init(_ text: String) throws(SyncError) {
            guard !text.isEmpty else { throw .invalidArgument("invalid regular expression '': the expression is empty") }
            do { regex = try Regex(text) } catch {
                throw .invalidArgument("invalid regular expression '\(text)': \(error)")
            }
        }

        func matches(_ tag: String) -> Bool { (try? regex.firstMatch(in: tag)) != nil }
    }
}
