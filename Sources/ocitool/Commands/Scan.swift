// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import Layout
import Scan
import Sync

struct ScanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Find known vulnerabilities in an SBOM's packages, offline.",
        discussion: """
            Packages are matched against the OSV records of the vulnerability database ('ocitool db \
            import'): Debian by source package, Alpine by origin, PyPI names normalised; ranges evaluated \
            as the OSV schema says, in each ecosystem's version order. Severity is the CVSS v4.0 or v3.x \
            base score of the record, else its database's rating, else UNKNOWN.

            --severity lists the severities reported and counted (all by default); UNKNOWN counts only \
            when listed, or as the severity --unknown-as names. --exit-code N exits with N when a \
            reported finding remains after --vex (OpenVEX not_affected and fixed statements) and --ignore \
            (.trivyignore lines, or YAML entries with id, package and expired_at).

            Examples:
              ocitool scan --sbom app.spdx.json
              ocitool scan --sbom bom.cdx.json --severity HIGH,CRITICAL --exit-code 1
              ocitool scan --sbom app.spdx.json --db oci-archive:bundle.tar:vulndb \\
                  --vex app.openvex.json --ignore .trivyignore.yaml
              ocitool scan --sbom app.spdx.json --format sarif --output app.sarif
            """.reflowed
    )

    @Option(help: ArgumentHelp("An SPDX 2.3 JSON or CycloneDX JSON SBOM whose packages to scan.", valueName: "FILE"))
    var sbom: String

    @OptionGroup var database: DatabaseOptions

    @Option(help: "Severities to report and count, comma separated (UNKNOWN,NONE,LOW,MEDIUM,HIGH,CRITICAL).")
    var severity: String?

    @Option(help: ArgumentHelp("Count UNKNOWN findings as this severity.", valueName: "SEVERITY"))
    var unknownAs: String?

    @Option(help: "Exit with this code when a reported finding remains.")
    var exitCode: Int32?

    @Option(help: ArgumentHelp("A .trivyignore or YAML ignore file (repeatable).", valueName: "FILE"))
    var ignore: [String] = []

    @Option(help: ArgumentHelp("An OpenVEX document (repeatable).", valueName: "FILE"))
    var vex: [String] = []

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, json, sarif, cyclonedx }

    @Option(help: "Report format: table, json, sarif (2.1.0) or cyclonedx (1.5 with vulnerabilities).")
    var format: Format = .table

    @Option(help: ArgumentHelp("Write the report to FILE instead of standard output.", valueName: "FILE"))
    var output: String?

    @OptionGroup var freshness: FreshnessOptions

    @OptionGroup(title: "Registry options (for --db REF)") var registry: RegistryFlags

    func validate() throws {
        _ = try severities()
        _ = try unknownSeverity()
    }

    func run() throws {
        let policy = ScanPolicy(
            severities: try severities(), unknownAs: try unknownSeverity(), vex: try vex.map(VEXDocument.load(path:)),
            ignore: try ignore.map(IgnoreList.load(path:)))
        let (opened, info) = try database.open(registry: try registry.options())
        try freshness.check(info)
        let contents = try SBOMReader.read(path: sbom)
        let scanner = Scanner(database: opened)
        var report = try scanner.report(
            contents.packages, target: ScanTarget(name: sbom), databaseInfo: info, policy: policy)
        report.packagesNotScanned += contents.unsupported
        try ScanOutput(format: format, output: output).write([report])
        for notice in report.notices { Console.write("notice: \(notice)\n", to: .standardError) }
        if let exitCode, !report.findings.isEmpty { throw ExitCode(exitCode) }
    }

    private func severities() throws -> Set<VulnerabilitySeverity> {
        guard let severity else { return Set(VulnerabilitySeverity.allCases) }
        var result = Set<VulnerabilitySeverity>()
        for name in severity.split(separator: ",") {
            guard let value = VulnerabilitySeverity(rawValue: name.trimmingCharacters(in: .whitespaces).uppercased())
            else {
                throw ValidationError(
                    "--severity '\(name)' is not a severity: UNKNOWN, NONE, LOW, MEDIUM, HIGH or CRITICAL")
            }
            result.insert(value)
        }
        return result
    }

    private func unknownSeverity() throws -> VulnerabilitySeverity? {
        guard let unknownAs else { return nil }
        guard let value = VulnerabilitySeverity(rawValue: unknownAs.uppercased()), value != .unknown else {
            throw ValidationError("--unknown-as '\(unknownAs)' must be NONE, LOW, MEDIUM, HIGH or CRITICAL")
        }
        return value
    }
}
