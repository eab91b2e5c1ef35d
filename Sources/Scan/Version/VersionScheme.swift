// SPDX-License-Identifier: Apache-2.0
public import Foundation

/// The version order of one package ecosystem (dpkg, rpm, apk, PEP 440, SemVer, Go, Maven).
///
/// A scheme validates and orders version strings as the ecosystem's own tool does. A string the
/// scheme cannot parse is a `ScanError.invalidVersion`, which callers report or count as a skip.
public protocol VersionScheme: Sendable {
    /// A short name for messages and reports, such as `dpkg` or `PEP 440`.
    var name: String { get }

    /// Orders two versions.
    /// - Returns: `.orderedAscending` when `lhs` is the older version.
    /// - Throws: `ScanError.invalidVersion` when either string is not a version of this scheme.
    func compare(_ lhs: String, _ rhs: String) throws -> ComparisonResult

    /// Checks that `version` is a version of this scheme.
    /// - Throws: `ScanError.invalidVersion` when it is not.
    func validate(_ version: String) throws
}

/// A scheme whose versions parse into a `Comparable` value first.
protocol ParsedVersionScheme: VersionScheme {
    associatedtype Version: Comparable
    func parse(_ version: String) throws -> Version
}

extension ParsedVersionScheme {
    public func compare(_ lhs: String, _ rhs: String) throws -> ComparisonResult {
        let left = try parse(lhs)
        let right = try parse(rhs)
        return left < right ? .orderedAscending : (right < left ? .orderedDescending : .orderedSame)
    }

    public func validate(_ version: String) throws {
        _ = try parse(version)
    }

    /// The error for `version`, naming this scheme.
    func invalid(_ version: String, _ reason: String) -> ScanError {
        .invalidVersion(scheme: name, version: version, reason: reason)
    }
}
