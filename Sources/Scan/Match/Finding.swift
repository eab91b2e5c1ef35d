// SPDX-License-Identifier: Apache-2.0
public import Layout

/// A severity as scans report and filter it: a CVSS rating, or UNKNOWN for a record that rates nothing.
public enum VulnerabilitySeverity: String, Codable, Hashable, Sendable, CaseIterable, Comparable {
    case unknown = "UNKNOWN"
    case none = "NONE"
    case low = "LOW"
    case medium = "MEDIUM"
    case high = "HIGH"
    case critical = "CRITICAL"

    public init(_ rating: CVSSSeverity?) {
        switch rating {
        case nil: self = .unknown
        case .none?: self = .none
        case .low?: self = .low
        case .medium?: self = .medium
        case .high?: self = .high
        case .critical?: self = .critical
        }
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        allCases.firstIndex(of: lhs) ?? 0 < allCases.firstIndex(of: rhs) ?? 0
    }
}

/// One vulnerability found in one installed package.
public struct Finding: Codable, Hashable, Sendable {
    /// The record's id (`GHSA-…`, `DSA-…`, `GO-…`, `CVE-…`).
    public var id: String
    /// Its aliases and upstream ids (the CVE, other databases' ids).
    public var aliases: [String]
    public var summary: String?
    public var severity: VulnerabilitySeverity
    /// The CVSS base score (0.0–10.0) when computed from a vector.
    public var score: Double?
    /// Where the severity came from: the CVSS vector scored, `database_specific.severity: HIGH`, or
    /// `none` (UNKNOWN; `--unknown-as` may have rated it, which `severityMapped` says).
    public var severitySource: String
    /// True when UNKNOWN was counted as another severity by policy.
    public var severityMapped: Bool
    public var package: Package
    /// The fixed version of the range that matched, when the record has one.
    public var fixedVersion: String?
    /// The layer and file the package was found in.
    public var location: CatalogedPackage.Location
    /// Why it matched: the range (type and events) or the versions list that applied, and the lookup key.
    public var matched: String
    /// The record's `modified` time.
    public var modified: String?

    /// The package a finding is about.
    public struct Package: Codable, Hashable, Sendable {
        public var name: String
        /// The installed version.
        public var version: String
        public var kind: CatalogedPackage.Kind
        public var purl: String
        /// The source package the record is keyed by, when it differs from `name`.
        public var sourceName: String?
        /// The OSV ecosystem looked up (`Debian:12`, `PyPI`, …).
        public var ecosystem: String
    }

    /// The record's id and its aliases: every name a VEX statement or an ignore entry may use.
    public var names: [String] { [id] + aliases }
}
