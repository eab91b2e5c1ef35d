// SPDX-License-Identifier: Apache-2.0

/// The qualitative severity rating of a CVSS score (the same bands in v3.x and v4.0).
///
/// Spec: https://www.first.org/cvss/v3.1/specification-document#Qualitative-Severity-Rating-Scale
public enum CVSSSeverity: String, CaseIterable, Codable, Hashable, Sendable, Comparable {
    case none = "NONE"
    case low = "LOW"
    case medium = "MEDIUM"
    case high = "HIGH"
    case critical = "CRITICAL"

    /// The rating of a score given in tenths (0…100): 0 none, 0.1–3.9 low, 4.0–6.9 medium,
    /// 7.0–8.9 high, 9.0–10.0 critical.
    public init(tenths: Int) {
        switch tenths {
        case ..<1: self = .none
        case ..<40: self = .low
        case ..<70: self = .medium
        case ..<90: self = .high
        default: self = .critical
        }
    }

    public static func < (lhs: CVSSSeverity, rhs: CVSSSeverity) -> Bool {
        lhs.rank < rhs.rank
    }

    private var rank: Int {
        switch self {
        case .none: return 0
        case .low: return 1
        case .medium: return 2
        case .high: return 3
        case .critical: return 4
        }
    }
}
