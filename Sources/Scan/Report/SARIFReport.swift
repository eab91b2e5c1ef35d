// SPDX-License-Identifier: Apache-2.0
public import Foundation
import Layout

/// Scan reports as SARIF 2.1.0 (what code-scanning dashboards read): one run per report, one rule per
/// vulnerability id with its help text and `security-severity` score, one result per finding pointing
/// at the file the package was found in.
///
/// Spec: https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html
public enum SARIFReport {
    /// The SARIF log for `reports`, as pretty JSON with sorted keys.
    public static func render(_ reports: [ScanReport], toolVersion: String) throws -> Data {
        let log: [String: Any] = [
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
            "runs": reports.map { run($0, toolVersion: toolVersion) },
        ]
        return try JSONSerialization.data(withJSONObject: log, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    }

    private static func run(_ report: ScanReport, toolVersion: String) -> [String: Any] {
        var ruleIndex: [String: Int] = [:]
        var rules: [[String: Any]] = []
        var results: [[String: Any]] = []
        for finding in report.findings {
            let index: Int
            if let known = ruleIndex[finding.id] {
                index = known
            } else {
                index = rules.count
                ruleIndex[finding.id] = index
                rules.append(rule(finding))
            }
            results.append(result(finding, ruleIndex: index, target: report.target))
        }
        var properties: [String: Any] = ["target": report.target.name]
        if let manifest = report.target.manifest { properties["manifest"] = manifest.description }
        if let platform = report.target.platform { properties["platform"] = platform }
        properties["packagesScanned"] = report.packagesScanned
        properties["packagesNotScanned"] = report.packagesNotScanned.count
        return [
            "tool": [
                "driver": [
                    "name": "ocitool", "version": toolVersion, "informationUri": "https://osv.dev",
                    "rules": rules,
                    "notifications": [
                        [
                            "id": notScannedNotification,
                            "shortDescription": ["text": "A package was not checked for vulnerabilities."],
                            "defaultConfiguration": ["level": "warning"],
                        ] as [String: Any]
                    ],
                ] as [String: Any]
            ],
            "invocations": [invocation(report)],
            "results": results,
            "originalUriBaseIds": ["ROOTPATH": ["uri": "file:///"]],
            "properties": properties,
        ]
    }

    /// The id of the notification each package not checked carries.
    static let notScannedNotification = "package-not-scanned"

    /// The run's invocation: successful, with one warning notification per package not checked (SARIF's place for
    /// what a tool could not analyse), so a dashboard does not read those packages as clean.
    private static func invocation(_ report: ScanReport) -> [String: Any] {
        let notifications = report.packagesNotScanned.map { line -> [String: Any] in
            [
                "level": "warning", "message": ["text": "Not scanned: \(line)"],
                "descriptor": ["id": notScannedNotification, "index": 0] as [String: Any],
            ]
        }
        return ["executionSuccessful": true, "toolExecutionNotifications": notifications]
    }

    /// SARIF's level for a severity: error for HIGH and CRITICAL, warning for MEDIUM, note otherwise.
    static func level(_ severity: VulnerabilitySeverity) -> String {
        switch severity {
        case .critical, .high: "error"
        case .medium: "warning"
        case .low, .none, .unknown: "note"
        }
    }

    private static func rule(_ finding: Finding) -> [String: Any] {
        let link = "https://osv.dev/vulnerability/\(finding.id)"
        let title = finding.summary ?? "\(finding.id) in \(finding.package.name)"
        var help = "Vulnerability \(finding.id)"
        if !finding.aliases.isEmpty { help += " (\(finding.aliases.joined(separator: ", ")))" }
        help += "\nSeverity: \(finding.severity.rawValue)"
        if let score = finding.score { help += " (\(score), \(finding.severitySource))" }
        help += "\nPackage: \(finding.package.name)\nFixed version: \(finding.fixedVersion ?? "none published")\nLink: \(link)"
        var markdown = "**Vulnerability [\(finding.id)](\(link))**\n\n| Severity | Package | Fixed version |\n| --- | --- | --- |\n"
        markdown += "| \(finding.severity.rawValue) | \(finding.package.name) | \(finding.fixedVersion ?? "none published") |"
        var properties: [String: Any] = [
            "tags": ["vulnerability", "security", finding.severity.rawValue],
            "precision": "very-high",
            "severity": finding.severity.rawValue,
        ]
        if let score = finding.score {
            properties["security-severity"] = String(format: "%.1f", score)
            properties["score"] = score
        }
        if !finding.aliases.isEmpty { properties["aliases"] = finding.aliases }
        return [
            "id": finding.id,
            "name": "OSV" + finding.id.filter { $0.isLetter || $0.isNumber },
            "shortDescription": ["text": title],
            "fullDescription": ["text": finding.summary ?? title],
            "helpUri": link,
            "help": ["text": help, "markdown": markdown],
            "defaultConfiguration": ["level": level(finding.severity)],
            "properties": properties,
        ]
    }

    private static func result(_ finding: Finding, ruleIndex: Int, target: ScanTarget) -> [String: Any] {
        var text = "\(finding.id): \(finding.package.name) \(finding.package.version) is affected"
        if let fixed = finding.fixedVersion { text += "; fixed in \(fixed)" }
        text += " (severity \(finding.severity.rawValue)\(finding.score.map { ", score \($0)" } ?? ""))"
        let path = finding.location.path.isEmpty ? target.name : finding.location.path
        let uri = path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? path
        var where_ = "\(finding.package.name)@\(finding.package.version)"
        if let layer = finding.location.layer { where_ += " in layer \(layer)" }
        return [
            "ruleId": finding.id,
            "ruleIndex": ruleIndex,
            "level": level(finding.severity),
            "message": ["text": text],
            "locations": [
                [
                    "physicalLocation": [
                        "artifactLocation": ["uri": uri, "uriBaseId": "ROOTPATH"],
                        "region": ["startLine": 1, "startColumn": 1, "endLine": 1, "endColumn": 1],
                    ] as [String: Any],
                    "message": ["text": where_],
                ] as [String: Any]
            ],
            "properties": ["matched": finding.matched, "purl": finding.package.purl],
        ]
    }
}
