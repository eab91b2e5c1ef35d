// SPDX-License-Identifier: Apache-2.0
import Foundation

/// A CVSS v3.0 or v3.1 vector and its base score.
///
/// Spec: https://www.first.org/cvss/v3.1/specification-document (section 7.1, Base Metrics
/// Equations, and Appendix A, the Roundup function) and the v3.0 document for its plain
/// `ceil(x * 10) / 10` rounding. Temporal and environmental metrics may be present and are checked,
/// but the base score uses only the eight base metrics.
public struct CVSS3: Hashable, Sendable {
    /// `3.0` or `3.1`.
    public let version: String
    /// Metric abbreviations to values, as in the vector (`AV` → `N`, …).
    public let metrics: [String: String]
    /// The base score in tenths (0…100), exact: 98 is 9.8.
    public let baseScoreTenths: Int

    /// The base score (0.0…10.0).
    public var baseScore: Double { Double(baseScoreTenths) / 10 }
    /// The qualitative rating of the base score.
    public var severity: CVSSSeverity { CVSSSeverity(tenths: baseScoreTenths) }

    static let base: [String: [String]] = [
        "AV": ["N", "A", "L", "P"], "AC": ["L", "H"], "PR": ["N", "L", "H"], "UI": ["N", "R"],
        "S": ["U", "C"], "C": ["H", "L", "N"], "I": ["H", "L", "N"], "A": ["H", "L", "N"],
    ]
    static let optional: [String: [String]] = [
        "E": ["X", "H", "F", "P", "U"], "RL": ["X", "U", "W", "T", "O"], "RC": ["X", "C", "R", "U"],
        "CR": ["X", "H", "M", "L"], "IR": ["X", "H", "M", "L"], "AR": ["X", "H", "M", "L"],
        "MAV": ["X", "N", "A", "L", "P"], "MAC": ["X", "L", "H"], "MPR": ["X", "N", "L", "H"],
        "MUI": ["X", "N", "R"], "MS": ["X", "U", "C"], "MC": ["X", "H", "L", "N"], "MI": ["X", "H", "L", "N"],
        "MA": ["X", "H", "L", "N"],
    ]

    /// Parses `CVSS:3.x/AV:…/AC:…/PR:…/UI:…/S:…/C:…/I:…/A:…[/…]` and computes its base score.
    /// - Throws: `ScanError.invalidCVSSVector` for another prefix, an unknown or repeated metric, a
    ///   value the metric does not have, or a missing base metric.
    public init(vector: String) throws {
        let (prefix, metrics) = try CVSSVector.parse(
            vector, prefixes: ["CVSS:3.0", "CVSS:3.1"], mandatory: Self.base, optional: Self.optional)
        self.version = String(prefix.dropFirst(5))
        self.metrics = metrics
        self.baseScoreTenths = Self.baseScore(metrics, roundup: version == "3.1" ? Self.roundup31 : Self.roundup30)
    }

    private static func baseScore(_ m: [String: String], roundup: (Double) -> Int) -> Int {
        let changed = m["S"] == "C"
        // Metrics were validated, so every lookup finds its weight.
        func weight(_ name: String, _ table: [String: Double]) -> Double { table[m[name] ?? ""] ?? 0 }
        let av = weight("AV", ["N": 0.85, "A": 0.62, "L": 0.55, "P": 0.2])
        let ac = weight("AC", ["L": 0.77, "H": 0.44])
        let pr = weight("PR", changed ? ["N": 0.85, "L": 0.68, "H": 0.5] : ["N": 0.85, "L": 0.62, "H": 0.27])
        let ui = weight("UI", ["N": 0.85, "R": 0.62])
        let cia = ["H": 0.56, "L": 0.22, "N": 0.0]
        let iss = 1 - (1 - weight("C", cia)) * (1 - weight("I", cia)) * (1 - weight("A", cia))
        let impact = changed ? 7.52 * (iss - 0.029) - 3.25 * pow(iss - 0.02, 15) : 6.42 * iss
        let exploitability = 8.22 * av * ac * pr * ui
        guard impact > 0 else { return 0 }
        return changed ? roundup(min(1.08 * (impact + exploitability), 10)) : roundup(min(impact + exploitability, 10))
    }

    /// v3.1 Roundup (Appendix A): the smallest one-decimal number ≥ x, computed on an integer
    /// scale so floating-point noise (4.000000000000001) does not round up.
    static func roundup31(_ x: Double) -> Int {
        let scaled = Int((x * 100_000).rounded())
        return scaled % 10_000 == 0 ? scaled / 10_000 : scaled / 10_000 + 1
    }

    /// v3.0 rounding: `ceil(x * 10) / 10`.
    static func roundup30(_ x: Double) -> Int { Int((x * 10).rounded(.up)) }
}
