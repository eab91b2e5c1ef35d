// SPDX-License-Identifier: Apache-2.0

/// The outcome of evaluating one OSV record against one installed package version.
public struct OSVMatch: Hashable, Sendable {
    /// True when the version is affected.
    public var isAffected: Bool
    /// Why it matched: the range (its type and events) or the `versions` list that applied.
    public var reason: String?
    /// The first `fixed` version above the installed one in the range that matched, if any.
    public var fixedVersion: String?
    /// Parts of the record that could not be evaluated, each with its reason (counted, reported).
    public var skips: [OSVSkip]

    public init(isAffected: Bool, reason: String? = nil, fixedVersion: String? = nil, skips: [OSVSkip] = []) {
        self.isAffected = isAffected
        self.reason = reason
        self.fixedVersion = fixedVersion
        self.skips = skips
    }
}

/// A part of an OSV record that matching did not evaluate, and why.
public struct OSVSkip: Hashable, Sendable, CustomStringConvertible {
    public enum Reason: Hashable, Sendable {
        /// The record is withdrawn.
        case withdrawn
        /// A `GIT` range: commits, not versions (ignored by design).
        case gitRange
        /// A range type this version does not know.
        case unknownRangeType(String)
        /// An ecosystem without a version order here.
        case unknownEcosystem(String)
        /// A version (installed or in the record) the scheme cannot parse.
        case invalidVersion(String)
        /// A malformed range (no events, an event with zero or several fields).
        case invalidRange(String)
    }

    public let recordID: String
    public let reason: Reason

    public init(recordID: String, reason: Reason) {
        self.recordID = recordID
        self.reason = reason
    }

    public var description: String {
        switch reason {
        case .withdrawn: return "\(recordID): withdrawn"
        case .gitRange: return "\(recordID): GIT range ignored"
        case .unknownRangeType(let type): return "\(recordID): unknown range type \"\(type)\""
        case .unknownEcosystem(let ecosystem): return "\(recordID): no version order for ecosystem \"\(ecosystem)\""
        case .invalidVersion(let message): return "\(recordID): \(message)"
        case .invalidRange(let message): return "\(recordID): invalid range: \(message)"
        }
    }
}
