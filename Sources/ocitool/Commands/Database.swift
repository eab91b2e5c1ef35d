// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import Layout
import Scan
import Sync

struct DatabaseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Build, inspect and ship the offline vulnerability database (OSV records in SQLite).",
        discussion: """
            The default database is $XDG_DATA_HOME/ocitool/vuln.db (~/.local/share/ocitool/vuln.db); \
            --db chooses another file. Commands that read it also take an artifact reference made by \
            'db push' (a layout PATH:TAG, oci-archive:FILE:TAG, docker://...), cached by digest under \
            $XDG_CACHE_HOME/ocitool.
            """.reflowed,
        subcommands: [DatabaseImport.self, DatabaseStatusCommand.self, DatabasePush.self]
    )
}

struct DatabaseImport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import OSV records: JSON files, directories of them, OSV's all.zip files.",
        discussion: """
            Everything given is imported in one transaction: if a file cannot be read, the database stays \
            as it was. A record replaces the stored one with its id only when its 'modified' time is newer. \
            Malformed or oversized records and zip members with unsafe paths are skipped and listed; records \
            with a range matching cannot evaluate are stored with a warning (their other ranges match).

            Examples:
              ocitool db import Debian-all.zip PyPI-all.zip
              ocitool db import --db ./vuln.db advisories/
              ocitool db import --format json GHSA-jfh8-c2jp-5v3q.json
            """.reflowed
    )

    @Argument(help: "OSV JSON files, directories (searched for *.json and *.zip), or all.zip files.")
    var sources: [String]

    @Option(help: ArgumentHelp("The database file to create or update.", valueName: "PATH"))
    var db: String?

    @OptionGroup var output: OutputOptions

    func run() throws {
        let path = db ?? DatabaseOptions.defaultPath
        let report = try VulnerabilityDatabase.openForImport(at: path).import(sources)
        if output.json { return try Console.json(report) }
        for (label, issues) in [("skipped", report.skipped), ("warning", report.warnings)] {
            for issue in issues.prefix(20) { Console.write("\(label): \(issue)\n", to: .standardError) }
            if issues.count > 20 {
                Console.write("\(label): … and \(issues.count - 20) more (--format json lists all)\n", to: .standardError)
            }
        }
        var line = "imported into \(path): \(report.added) added, \(report.replaced) replaced, "
        line += "\(report.unchanged) unchanged, \(report.older) older than stored (kept out), "
        line += "\(report.skipped.count) skipped, \(report.warnings.count) warnings"
        if report.gitRanges > 0 { line += "; \(report.gitRanges) GIT ranges (ignored by matching)" }
        Console.write(line + "\n")
    }
}

struct DatabaseStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the database's ecosystems, record counts, newest record and build time.",
        discussion: """
            Examples:
              ocitool db status
              ocitool db status --db ./vuln.db --format json
              ocitool db status --db oci-archive:bundle.tar:vulndb
            """.reflowed
    )

    @OptionGroup var database: DatabaseOptions

    @OptionGroup(title: "Registry options") var registry: RegistryFlags

    @OptionGroup var output: OutputOptions

    func run() throws {
        let (opened, info) = try database.open(registry: try registry.options())
        var status = try opened.status()
        status.path = info.source
        if output.json { return try Console.json(status) }
        var lines = ["Database:   \(status.path)", "Schema:     \(status.schemaVersion)"]
        if let built = status.builtAt {
            let age = FreshnessOptions.describe(Date().timeIntervalSince(built))
            lines.append("Built:      \(VulnerabilityDatabase.timestamp(built)) (\(age) ago)")
        } else {
            lines.append("Built:      never (no import yet)")
        }
        lines.append("Records:    \(status.records) (\(status.withdrawn) withdrawn)")
        lines.append("Newest:     \(status.newestModified ?? "-")")
        if let digest = info.digest { lines.append("Digest:     \(digest)") }
        if !status.ecosystems.isEmpty {
            lines.append("Ecosystems:")
            let width = status.ecosystems.map(\.ecosystem.count).max() ?? 0
            for entry in status.ecosystems {
                lines.append("  \(entry.ecosystem.padding(toLength: width, withPad: " ", startingAt: 0))  \(entry.records)")
            }
        }
        Console.write(lines.joined(separator: "\n") + "\n")
    }
}

struct DatabasePush: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "push",
        abstract: "Store the database as an OCI artifact in a layout, an archive or a registry.",
        discussion: """
            The artifact (artifactType application/vnd.ocitool.vulndb.v1+sqlite) holds the SQLite file \
            uncompressed, so the digest names the bytes SQLite opens; archives and registries compress in \
            transit. Read it back anywhere with --db REF.

            Examples:
              ocitool db push ./bundle:vulndb
              ocitool db push --db ./vuln.db oci-archive:bundle.tar:vulndb
              ocitool db push docker://registry.example:5000/security/vulndb:2026-12-07
            """.reflowed
    )

    @Option(help: ArgumentHelp("The database file to push.", valueName: "PATH"))
    var db: String?

    @Argument(help: "Where to store it: PATH[:TAG], oci-archive:FILE[:TAG] or docker://HOST/REPO[:TAG].")
    var destination: String

    @OptionGroup(title: "Registry options") var registry: RegistryFlags

    @OptionGroup var output: OutputOptions

    struct Summary: Codable {
        var digest: Digest
        var destination: String
        var records: Int
    }

    func run() throws {
        let path = db ?? DatabaseOptions.defaultPath
        let reference = try ImageReference(parsing: destination)
        let tag: String? =
            switch reference {
            case .layout(_, .tag(let tag)), .registry(_, _, .tag(let tag)), .ociArchive(_, .some(let tag)): tag
            case .registry: "latest"
            default: nil
            }
        let descriptor = try NewLayout.with(for: reference) {
            let (target, _) = try ImageEndpoint.destination(reference, registry: try registry.options())
            return try DatabaseArtifact.push(databaseAt: path, to: target, tag: tag)
        }
        let records = try VulnerabilityDatabase.open(at: path).status().records
        let summary = Summary(digest: descriptor.digest, destination: destination, records: records)
        if output.json { return try Console.json(summary) }
        Console.write("pushed the vulnerability database (\(records) records) as \(descriptor.digest) to \(destination)\n")
    }
}
