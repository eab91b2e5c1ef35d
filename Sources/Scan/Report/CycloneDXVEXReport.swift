// SPDX-License-Identifier: Apache-2.0
public import Foundation
import Layout

/// Scan reports as a CycloneDX 1.5 BOM with `vulnerabilities[]` (a VEX document): the affected
/// packages as components, each finding with its ratings, references (aliases), fix recommendation
/// and `affects`; suppressed findings carry an `analysis` saying why (VEX `not_affected` →
/// `not_affected` with the justification mapped, `fixed` → `resolved`, an ignore entry → its detail).
///
/// Spec: https://cyclonedx.org/docs/1.5/json/#vulnerabilities
public enum CycloneDXVEXReport {
    /// The BOM for `reports` (several platforms' reports merge into one BOM), as pretty JSON with
    /// sorted keys. `timestamp` is the BOM's creation time (`SOURCE_DATE_EPOCH` fixes it in the CLI).
    public static func render(_ reports: [ScanReport], toolVersion: String, timestamp: Date, serial: UUID) throws
        -> Data
    {
        var components: [[String: Any]] = []
        var seen = Set<String>()
        var vulnerabilities: [[String: Any]] = []
        func component(_ finding: Finding) -> String {
            let reference = finding.package.purl
            if seen.insert(reference).inserted {
                components.append([
                    "type": "library", "bom-ref": reference, "name": finding.package.name,
                    "version": finding.package.version, "purl": finding.package.purl,
                ])
            }
            return reference
        }
        for report in reports {
            for finding in report.findings {
                vulnerabilities.append(vulnerability(finding, ref: component(finding), number: vulnerabilities.count + 1))
            }
            for suppression in report.suppressed {
                var entry = vulnerability(
                    suppression.finding, ref: component(suppression.finding), number: vulnerabilities.count + 1)
                entry["analysis"] = analysis(suppression)
                vulnerabilities.append(entry)
            }
        }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        var subject: [String: Any] = ["type": "container", "bom-ref": "scan-target", "name": reports.first?.target.name ?? "scan"]
        if let digest = reports.first.flatMap({ $0.target.index ?? $0.target.manifest }) { subject["version"] = digest.description }
        var metadata: [String: Any] = [
            "timestamp": formatter.string(from: timestamp),
            "tools": ["components": [["type": "application", "name": "ocitool", "version": toolVersion]]],
            "component": subject,
        ]
        // Packages not checked, so a reader does not take them for clean (CycloneDX has no field of its own for
        // them: name-value properties, in ocitool's namespace).
        let notScanned = reports.flatMap(\.packagesNotScanned)
        if !notScanned.isEmpty {
            metadata["properties"] = notScanned.map { ["name": "ocitool:scan:notScanned", "value": $0] }
        }
        let bom: [String: Any] = [
            "bomFormat": "CycloneDX",
            "specVersion": "1.5",
            "serialNumber": "urn:uuid:\(serial.uuidString.lowercased())",
            "version": 1,
            "metadata": metadata,
            "components": components,
            "vulnerabilities": vulnerabilities,
        ]
        return try JSONSerialization.data(withJSONObject: bom, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    }

    private static func vulnerability(_ finding: Finding, ref: String, number: Int) -> [String: Any] {
        var entry: [String: Any] = [
            "bom-ref": "vulnerability-\(number)",
            "id": finding.id,
            "source": ["name": "OSV", "url": "https://osv.dev/vulnerability/\(finding.id)"],
            "ratings": [rating(finding)],
            "affects": [["ref": ref, "versions": [["version": finding.package.version, "status": "affected"]]] as [String: Any]],
        ]
        if let summary = finding.summary { entry["description"] = summary }
        if let fixed = finding.fixedVersion { entry["recommendation"] = "Upgrade \(finding.package.name) to \(fixed) or later." }
        if !finding.aliases.isEmpty {
            entry["references"] = finding.aliases.map { alias -> [String: Any] in
                ["id": alias, "source": ["name": alias.hasPrefix("CVE-") ? "NVD" : "OSV", "url": "https://osv.dev/vulnerability/\(alias)"]]
            }
        }
        return entry
    }

    private static func rating(_ finding: Finding) -> [String: Any] {
        var rating: [String: Any] = ["source": ["name": "OSV"]]
        rating["severity"] = finding.severity == .unknown ? "unknown" : finding.severity.rawValue.lowercased()
        if let score = finding.score { rating["score"] = score }
        let vector = finding.severitySource
        if vector.hasPrefix("CVSS:3.1/") {
            rating["method"] = "CVSSv31"
            rating["vector"] = vector
        } else if vector.hasPrefix("CVSS:3.0/") {
            rating["method"] = "CVSSv3"
            rating["vector"] = vector
        } else if vector.hasPrefix("CVSS:4.0/") {
            rating["method"] = "CVSSv4"
            rating["vector"] = vector
        } else {
            rating["method"] = "other"
        }
        return rating
    }

    /// CycloneDX's analysis of a suppressed finding.
    private static func analysis(_ suppression: Suppression) -> [String: Any] {
        var analysis: [String: Any] = ["detail": "\(suppression.source): \(suppression.reason)"]
        guard suppression.by == .vex else { return analysis }
        if suppression.status == "fixed" {
            analysis["state"] = "resolved"
        } else {
            analysis["state"] = "not_affected"
            if let justification = suppression.justification.flatMap(justification) { analysis["justification"] = justification }
        }
        return analysis
    }

    /// OpenVEX justifications in CycloneDX's vocabulary.
    static func justification(_ openVEX: String) -> String? {
        switch openVEX {
        case "component_not_present", "vulnerable_code_not_present": "code_not_present"
        case "vulnerable_code_not_in_execute_path": "code_not_reachable"
        case "vulnerable_code_cannot_be_controlled_by_adversary", "inline_mitigations_already_exist":
            "protected_by_mitigating_control"
        default: nil
        }
    }
}
