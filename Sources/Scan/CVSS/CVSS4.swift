// SPDX-License-Identifier: Apache-2.0
import Foundation

/// A CVSS v4.0 vector and its score.
///
/// Spec: https://www.first.org/cvss/v4.0/specification-document (section 8, "CVSS v4.0 Scoring"):
/// the vector falls in a macrovector (six equivalence classes, EQ1…EQ6) whose highest-severity
/// vector has a published score; the score goes down from there by the mean, over the classes
/// that have a lower macrovector, of the available score difference times how far the vector is
/// from that class's highest-severity vector (as a share of the class's depth). Threat and
/// environmental metrics count when present (the score is then CVSS-BT, -BE or -BTE; with base
/// metrics alone it is CVSS-B); supplemental metrics are checked but never change the score.
public struct CVSS4: Hashable, Sendable {
    /// Metric abbreviations to values, as in the vector.
    public let metrics: [String: String]
    /// The score in tenths (0…100): 93 is 9.3.
    public let scoreTenths: Int

    /// The score (0.0…10.0).
    public var score: Double { Double(scoreTenths) / 10 }
    /// The qualitative rating of the score.
    public var severity: CVSSSeverity { CVSSSeverity(tenths: scoreTenths) }

    static let base: [String: [String]] = [
        "AV": ["N", "A", "L", "P"], "AC": ["L", "H"], "AT": ["N", "P"], "PR": ["N", "L", "H"], "UI": ["N", "P", "A"],
        "VC": ["H", "L", "N"], "VI": ["H", "L", "N"], "VA": ["H", "L", "N"],
        "SC": ["H", "L", "N"], "SI": ["H", "L", "N"], "SA": ["H", "L", "N"],
    ]
    static let optional: [String: [String]] = [
        "E": ["X", "A", "P", "U"],
        "CR": ["X", "H", "M", "L"], "IR": ["X", "H", "M", "L"], "AR": ["X", "H", "M", "L"],
        "MAV": ["X", "N", "A", "L", "P"], "MAC": ["X", "L", "H"], "MAT": ["X", "N", "P"], "MPR": ["X", "N", "L", "H"],
        "MUI": ["X", "N", "P", "A"], "MVC": ["X", "H", "L", "N"], "MVI": ["X", "H", "L", "N"], "MVA": ["X", "H", "L", "N"],
        "MSC": ["X", "H", "L", "N"], "MSI": ["X", "S", "H", "L", "N"], "MSA": ["X", "S", "H", "L", "N"],
        "S": ["X", "N", "P"], "AU": ["X", "N", "Y"], "R": ["X", "A", "U", "I"], "V": ["X", "D", "C"],
        "RE": ["X", "L", "M", "H"], "U": ["X", "Clear", "Green", "Amber", "Red"],
    ]

    /// Parses `CVSS:4.0/AV:…/AC:…/AT:…/PR:…/UI:…/VC:…/VI:…/VA:…/SC:…/SI:…/SA:…[/…]` and scores it.
    /// - Throws: `ScanError.invalidCVSSVector` for another prefix, an unknown or repeated metric, a
    ///   value the metric does not have, or a missing base metric.
    public init(vector: String) throws {
        let metrics = try CVSSVector.parse(vector, prefixes: ["CVSS:4.0"], mandatory: Self.base, optional: Self.optional).metrics
        self.metrics = metrics
        self.scoreTenths = Self.score(Effective(metrics))
    }

    /// The value each metric takes in scoring: a modified metric replaces its base one, and an
    /// unset threat or requirement metric takes its worst case (E:A, CR/IR/AR:H).
    struct Effective {
        let metrics: [String: String]
        init(_ metrics: [String: String]) { self.metrics = metrics }

        subscript(_ name: String) -> String {
            let value = metrics[name] ?? "X"
            switch name {
            case "E" where value == "X": return "A"
            case "CR", "IR", "AR": return value == "X" ? "H" : value
            case "MSI", "MSA": return value
            default:
                if let modified = metrics["M" + name], modified != "X" { return modified }
                return value
            }
        }
    }
}
