// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import Layout
import Scan
import Sync

struct ScanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Find known vulnerabilities in an image's or an SBOM's packages, offline.",
        discussion: """
            An image is cataloged as 'ocitool sbom' does (layers read once, per-layer cache; an index gives \
            one report per platform, --platform picks one); --sbom FILE scans an SPDX or CycloneDX SBOM \
            instead. Packages are matched against the OSV records of the vulnerability database ('ocitool db \
            import'): Debian by source package, Alpine by origin, PyPI names normalised; ranges evaluated \
            as the OSV schema says, in each ecosystem's version order. Severity is the CVSS v4.0 or v3.x \
            base score of the record, else its database's rating, else UNKNOWN.

            --severity lists the severities reported and counted (all by default); UNKNOWN counts only \
            when listed, or as the severity --unknown-as names. --exit-code N exits with N when a \
            reported finding remains after --vex (OpenVEX not_affected and fixed statements) and --ignore \
            (.trivyignore lines, or YAML entries with id, package and expired_at).

            --attach stores each report as a referrer of its image manifest (json, sarif or cyclonedx; \
            artifact types application/vnd.ocitool.scan-report.v1+json, application/sarif+json, \
            application/vnd.cyclonedx+json).

            Examples:
              ocitool scan ./images/app:1.0
              ocitool scan --sbom app.spdx.json
              ocitool scan --sbom bom.cdx.json --severity HIGH,CRITICAL --exit-code 1
              ocitool scan --sbom app.spdx.json --db oci-archive:bundle.tar:vulndb \\
                  --vex app.openvex.json --ignore .trivyignore.yaml
              ocitool scan --format sarif --output app.sarif --attach ./images/app:1.0
            """.reflowed
    )

    @Argument(help: "The image: PATH[:TAG|@DIGEST], oci-archive:FILE[:TAG], docker-archive:FILE[:NAME:TAG] or docker://HOST/REPO[:TAG|@DIGEST].")
    var image: String?

    @Option(help: ArgumentHelp("An SPDX 2.3 JSON or CycloneDX JSON SBOM to scan instead of an image.", valueName: "FILE"))
    var sbom: String?

    @Option(help: "Only the image for os/arch[/variant] of an index.")
    var platform: String?

    @Flag(help: "Neither read nor write the per-layer catalog cache.")
    var noCache = false

    @Flag(help: "Store each report as a referrer of its image manifest (--format json, sarif or cyclonedx).")
    var attach = false

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
        if (image == nil) == (sbom == nil) { throw ValidationError("name an image, or give --sbom FILE (one of the two)") }
        if attach, image == nil { throw ValidationError("--attach needs an image to attach the report to") }
        if attach, format == .table { throw ValidationError("--attach stores a report file: use --format json, sarif or cyclonedx") }
        if let platform { _ = try Platform(parsing: platform) }
        _ = try severities()
        _ = try unknownSeverity()
    }

    func run() throws {
        let policy = ScanPolicy(
            severities: try severities(), unknownAs: try unknownSeverity(), vex: try vex.map(VEXDocument.load(path:)),
            ignore: try ignore.map(IgnoreList.load(path:)))
        let (opened, info) = try database.open(registry: try registry.options())
        try freshness.check(info)
        let scanner = VulnerabilityScanner(database: opened)
        var reports: [ScanReport]
        if let sbom {
            let contents = try SBOMReader.read(path: sbom)
            var report = try scanner.report(
                contents.packages, target: ScanTarget(name: sbom), databaseInfo: info, policy: policy)
            report.packagesNotScanned += contents.unsupported
            reports = [report]
        } else {
            reports = try scanImage(scanner, info: info, policy: policy)
        }
        try ScanOutput(format: format, output: output).write(reports)
        for notice in Set(reports.flatMap(\.notices)).sorted() { Console.write("notice: \(notice)\n", to: .standardError) }
        for warning in reports.compactMap(ScanOutput.notScannedWarning) {
            Console.write("warning: \(warning)\n", to: .standardError)
        }
        if attach { try attachReports(reports) }
        if let exitCode, reports.contains(where: { !$0.findings.isEmpty }) { throw ExitCode(exitCode) }
    }

    private func scanImage(_ scanner: VulnerabilityScanner, info: DatabaseInfo, policy: ScanPolicy) throws -> [ScanReport] {
        guard let image else { return [] }
        let (source, selector) = try ImageEndpoint.source(try ImageReference(parsing: image), registry: try registry.options())
        let descriptor = try source.resolve(selector)
        let cache = noCache ? nil : LayerCatalogCache.of(source)
        return try scanner.scanImage(
            descriptor, in: source, name: image, cataloger: ImageCataloger(cache: cache),
            platform: try platform.map { try Platform(parsing: $0) }, databaseInfo: info, policy: policy)
    }

    /// Each report, in the chosen format, as a referrer of its image manifest.
    private func attachReports(_ reports: [ScanReport]) throws {
        guard let image else { return }
        let (repository, _) = try ImageEndpoint.repository(
            try ImageReference(parsing: image), for: "scan --attach", registry: try registry.options())
        let type: MediaType =
            switch format {
            case .sarif: ScanReportAttachment.sarifType
            case .cyclonedx: ScanReportAttachment.cycloneDXType
            case .json, .table: ScanReportAttachment.jsonType
            }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ocitool-scan-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for report in reports {
            guard let manifest = report.target.manifest else { continue }
            let name = format == .sarif ? "scan.sarif.json" : format == .cyclonedx ? "scan.cdx.json" : "scan.json"
            let file = directory.appendingPathComponent(name)
            try ScanOutput(format: format, output: nil).render([report]).write(to: file)
            let subject = try repository.resolve(.digest(manifest))
            let attachment = try ScanReportAttachment.attach(
                reportAt: file.path, artifactType: type, to: subject, in: repository)
            let verb = attachment.attached ? "attached" : "already attached as"
            Console.write("\(verb) \(attachment.descriptor.digest) (\(type)) to \(manifest)\n", to: .standardError)
        }
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
