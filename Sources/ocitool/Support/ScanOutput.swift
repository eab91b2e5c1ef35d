// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import Layout
import Scan

/// Renders scan reports in the chosen format, to standard output or a file (written whole, then
/// renamed into place: never half a report).
struct ScanOutput {
    var format: ScanCommand.Format
    var output: String?

    /// The report bytes in the chosen format.
    func render(_ reports: [ScanReport]) throws -> Data {
        switch format {
        case .table: return Data(table(reports).utf8)
        case .json: return Data(try Console.jsonText(reports).utf8)
        case .sarif: return try SARIFReport.render(reports, toolVersion: Self.toolVersion) + Data("\n".utf8)
        case .cyclonedx:
            return try CycloneDXVEXReport.render(
                reports, toolVersion: Self.toolVersion, timestamp: Self.creationTime, serial: UUID()) + Data("\n".utf8)
        }
    }

    func write(_ reports: [ScanReport]) throws {
        let bytes = try render(reports)
        guard let output else { return Console.write(bytes: bytes) }
        let temporary = output + ".tmp-\(getpid())"
        do {
            try bytes.write(to: URL(fileURLWithPath: temporary))
            guard rename(temporary, output) == 0 else { throw LayoutError.io("rename into place", path: output, errno: errno) }
        } catch let error as LayoutError {
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw LayoutError.io("write", path: output, errno: EIO)
        }
        for report in reports { Console.write(summary(report) + "\n") }
    }

    static var toolVersion: String { OCITool.configuration.version }

    /// `SOURCE_DATE_EPOCH` when set (reproducible reports), else now.
    static var creationTime: Date {
        if let text = ProcessInfo.processInfo.environment["SOURCE_DATE_EPOCH"], let seconds = TimeInterval(text) {
            return Date(timeIntervalSince1970: seconds)
        }
        return Date()
    }

    /// One line: what was scanned and the counts.
    func summary(_ report: ScanReport) -> String {
        let counts = VulnerabilitySeverity.allCases.reversed().map { "\($0.rawValue) \(report.counts[$0] ?? 0)" }
        var line = "\(report.target.name)"
        if let platform = report.target.platform { line += " (\(platform))" }
        line += ": \(report.packagesScanned) packages scanned, \(report.findings.count) findings ("
        line += counts.joined(separator: ", ") + ")"
        line += ", \(report.suppressed.count) suppressed, \(report.filtered) filtered by severity"
        if !report.packagesNotScanned.isEmpty { line += ", \(report.packagesNotScanned.count) not scanned" }
        return line
    }

    /// The line standard error gets when packages were not looked up (nil when all were), so a report short of
    /// findings is not taken for clean: how many, and why.
    static func notScannedWarning(_ report: ScanReport) -> String? {
        let reasons = report.notScannedReasons
        guard !reasons.isEmpty else { return nil }
        let count = report.packagesNotScanned.count
        var target = report.target.name
        if let platform = report.target.platform { target += " (\(platform))" }
        let why = reasons.map { "\($0.reason) (\($0.count))" }.joined(separator: "; ")
        return "\(target): \(count) package\(count == 1 ? "" : "s") not checked for vulnerabilities: \(why)"
    }

    /// The table format: a summary line, the findings, then what was suppressed, skipped or not scanned.
    func table(_ reports: [ScanReport]) -> String {
        var text = ""
        for report in reports {
            text += summary(report) + "\n"
            if !report.findings.isEmpty {
                let header = ["ID", "SEVERITY", "SCORE", "PACKAGE", "INSTALLED", "FIXED", "ALIASES", "PATH"]
                let rows = report.findings.map { finding in
                    [
                        finding.id, finding.severity.rawValue + (finding.severityMapped ? "*" : ""),
                        finding.score.map { String(format: "%.1f", $0) } ?? "-", finding.package.name,
                        finding.package.version, finding.fixedVersion ?? "-",
                        finding.aliases.isEmpty ? "-" : finding.aliases.joined(separator: ","),
                        finding.location.path.isEmpty ? "-" : finding.location.path,
                    ]
                }
                text += columns(header, rows)
                if report.findings.contains(where: \.severityMapped) { text += "* UNKNOWN counted as this (--unknown-as)\n" }
            }
            if !report.suppressed.isEmpty {
                text += "Suppressed:\n"
                for item in report.suppressed {
                    text += "  \(item.finding.id) in \(item.finding.package.name) \(item.finding.package.version): "
                    text += "\(item.by == .vex ? "VEX" : "ignored by") \(item.source): \(item.reason)\n"
                }
            }
            if !report.packagesNotScanned.isEmpty {
                text += "Not scanned (\(report.packagesNotScanned.count)):\n"
                for line in report.packagesNotScanned.prefix(20) { text += "  \(line)\n" }
                if report.packagesNotScanned.count > 20 { text += "  … (--format json lists all)\n" }
            }
            if !report.skips.isEmpty {
                text += "Record parts not evaluated (\(report.skips.count)):\n"
                for line in report.skips.prefix(20) { text += "  \(line)\n" }
                if report.skips.count > 20 { text += "  … (--format json lists all)\n" }
            }
        }
        return text
    }

    private func columns(_ header: [String], _ rows: [[String]]) -> String {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }
}
