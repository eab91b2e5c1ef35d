// SPDX-License-Identifier: Apache-2.0

/// A record's severity for reports and thresholds: computed from a CVSS vector when it has one,
/// else the database's own rating, else unknown (the caller decides how unknown counts).
public struct SeverityAssessment: Hashable, Sendable {
    public enum Source: Hashable, Sendable {
        /// Computed from this CVSS vector (`CVSS_V4` preferred over `CVSS_V3`).
        case cvss(vector: String)
        /// `database_specific.severity`, as published.
        case database(String)
        /// Neither: the record says nothing usable.
        case unknown
    }

    /// The rating, or nil for UNKNOWN.
    public let rating: CVSSSeverity?
    /// The CVSS score in tenths, when computed from a vector.
    public let scoreTenths: Int?
    public let source: Source
    /// Vectors that could not be scored (malformed), each with its error; they never hide a rating.
    public let rejected: [String]
}

extension OSVRecord {
    /// The severity of this record for one affected package: CVSS v4.0 first, then v3.x vectors
    /// (from the package's own `severity[]`, then the record's), then `database_specific.severity`
    /// (`CRITICAL`, `HIGH`, `MODERATE`/`MEDIUM`, `LOW`), else UNKNOWN. CVSS v2 vectors are not scored.
    public func assessSeverity(for affected: Affected? = nil) -> SeverityAssessment {
        let entries = (affected?.severity ?? []) + (severity ?? [])
        var rejected: [String] = []
        for type in ["CVSS_V4", "CVSS_V3"] {
            for entry in entries where entry.type == type {
                do {
                    if type == "CVSS_V4" {
                        let cvss = try CVSS4(vector: entry.score)
                        return SeverityAssessment(
                            rating: cvss.severity, scoreTenths: cvss.scoreTenths, source: .cvss(vector: entry.score), rejected: rejected)
                    }
                    let cvss = try CVSS3(vector: entry.score)
                    return SeverityAssessment(
                        rating: cvss.severity, scoreTenths: cvss.baseScoreTenths, source: .cvss(vector: entry.score), rejected: rejected)
                } catch {
                    rejected.append("\(error)")
                }
            }
        }
        if let text = databaseSpecific?.severity {
            let rating: CVSSSeverity? =
                switch text.uppercased() {
                case "CRITICAL": .critical
                case "HIGH", "IMPORTANT": .high
                case "MODERATE", "MEDIUM": .medium
                case "LOW": .low
                case "NONE", "NEGLIGIBLE": CVSSSeverity.none
                default: nil
                }
            if let rating {
                return SeverityAssessment(rating: rating, scoreTenths: nil, source: .database(text), rejected: rejected)
            }
        }
        return SeverityAssessment(rating: nil, scoreTenths: nil, source: .unknown, rejected: rejected)
    }
}
