// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
import Testing
import TestSupport

/// `ocitool sync` as users run it, against CNCF distribution 2.8.
@Suite(.enabled(if: DistributionRegistry.isAvailable, "needs /usr/bin/docker-registry"))
struct SyncCLITests {
    static let tags = ["app:1.0.0", "app:1.1.0", "app:1.2.0", "app:2.0.0-rc.1", "app:latest"]

    /// A layout at `path` holding the five tags.
    static func makeLayout(at path: String, in directory: String) throws {
        let archive = directory + "/images-\(UUID().uuidString).tar"
        try CLIRunner.makeDockerArchive(at: archive, tags: tags, layers: 2, layerSize: 8192)
        let result = try CLIRunner.run(["import", archive, path])
        #expect(result.status == 0, "\(result.stderr)")
    }

    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    static func results(_ report: [String: Any]) -> [[String: Any]] { report["results"] as? [[String: Any]] ?? [] }

    @Test func dryRunThenSyncThenNothingToDo() throws {
        let registry = try DistributionRegistry()
        defer { registry.stop() }
        let directory = CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let layout = directory + "/app"
        try SyncCLITests.makeLayout(at: layout, in: directory)
        let remote = "docker://\(registry.host)/team/app"
        let filters = ["--semver", ">=1.1", "--exclude-regex", "^1\\.2\\.", "--tag-regex", "^1"]

        // The plan, as JSON: releases from 1.1 (not the rc, not latest), less 1.2.x: one tag.
        var result = try CLIRunner.run(["sync", "--plain-http", "--dry-run", "--format", "json"] + filters + [layout, remote])
        #expect(result.status == 0, "\(result.stderr)")
        var report = try SyncCLITests.json(result.stdout)
        #expect(report["dryRun"] as? Bool == true)
        #expect(report["planned"] as? Int == 1)
        #expect(SyncCLITests.results(report).map { $0["tag"] as? String } == ["1.1.0"])
        #expect(SyncCLITests.results(report).first?["status"] as? String == "planned")
        #expect(SyncCLITests.results(report).first?["reason"] as? String == "new")
        let digest = try OCILayout(at: layout).resolve(.tag("1.1.0")).digest
        #expect(SyncCLITests.results(report).first?["digest"] as? String == digest.description)
        // Nothing was written.
        result = try CLIRunner.run(["ls", "--plain-http", remote])
        #expect(result.status == 3)

        // The dry run as a table.
        result = try CLIRunner.run(["sync", "--plain-http", "--dry-run", layout, remote])
        #expect(result.stdout.contains("copy (new)") && result.stdout.contains("dry run: 5 to copy, 0 up to date"))

        // Every tag, then again: all skipped.
        result = try CLIRunner.run(["sync", "--plain-http", layout, remote])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("synced 5 tags: 5 copied, 0 skipped, 0 failed"))
        result = try CLIRunner.run(["sync", "--plain-http", "--format", "json", layout, remote])
        report = try SyncCLITests.json(result.stdout)
        #expect(report["skipped"] as? Int == 5 && report["copied"] as? Int == 0 && report["bytes"] as? Int == 0)
        result = try CLIRunner.run(["inspect", "--plain-http", "--raw", remote + ":1.1.0"])
        #expect(Digest.sha256(of: Data(result.stdout.utf8)) == digest)

        // --latest 2 by version needs every tag to be one: with "latest" among them, by name.
        result = try CLIRunner.run(["sync", "--plain-http", "--dry-run", "--format", "json", "--latest", "2", layout, remote])
        #expect(SyncCLITests.results(try SyncCLITests.json(result.stdout)).map { $0["tag"] as? String } == ["2.0.0-rc.1", "latest"])
    }

    @Test func keepGoingCarriesOnPastAFailingRepository() throws {
        let registry = try DistributionRegistry()
        defer { registry.stop() }
        let directory = CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try SyncCLITests.makeLayout(at: directory + "/store/team/app", in: directory)
        let config = directory + "/sync.yaml"
        try """
            source:
              layout: store
            destination:
              registry: \(registry.host)
              plainHTTP: true
            repositories:
              - name: missing/app
              - name: team/app
                destination: mirror/{name}
                tags: {semver: '>=1', latest: 2}
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let report = directory + "/report.json"

        // Without --keep-going the first repository's failure stops the sync, with its own exit code.
        var result = try CLIRunner.run(["sync", "--config", config, "--report", report])
        #expect(result.status == 3)
        #expect(result.stderr.hasPrefix("error: ") && result.stderr.contains("store/missing/app does not exist"))
        #expect(result.stdout.contains("stopped at the first failure"))
        var written = try SyncCLITests.json(String(decoding: try Data(contentsOf: URL(fileURLWithPath: report)), as: UTF8.self))
        #expect(written["stopped"] as? Bool == true && written["failed"] as? Int == 1 && written["copied"] as? Int == 0)
        #expect(try CLIRunner.run(["ls", "--plain-http", "docker://\(registry.host)/mirror/team/app"]).status == 3)

        // With it, the other repository is synced and the exit code is 1.
        result = try CLIRunner.run(["sync", "--keep-going", "--config", config, "--report", report])
        #expect(result.status == 1)
        #expect(result.stdout.contains("failed  \(directory)/store/missing/app"))
        #expect(result.stdout.contains("synced 3 tags: 2 copied, 0 skipped, 1 failed"))
        #expect(result.stderr.contains("1 of 3 failed"))
        written = try SyncCLITests.json(String(decoding: try Data(contentsOf: URL(fileURLWithPath: report)), as: UTF8.self))
        let entries = SyncCLITests.results(written)
        #expect(entries.map { $0["tag"] as? String } == [nil, "1.1.0", "1.2.0"])
        #expect(entries.map { $0["status"] as? String } == ["failed", "copied", "copied"])
        #expect((entries.first?["error"] as? String)?.contains("store/missing/app does not exist") == true)
        #expect(entries.last?["destination"] as? String == "docker://\(registry.host)/mirror/team/app")
        result = try CLIRunner.run(["ls", "--plain-http", "--format", "json", "docker://\(registry.host)/mirror/team/app"])
        #expect(result.stdout.contains("\"1.2.0\"") && !result.stdout.contains("\"1.0.0\""))
        // The report file holds exactly what --format json prints.
        result = try CLIRunner.run(["sync", "--format", "json", "--config", config, "--report", report, "--keep-going"])
        #expect(result.stdout == String(decoding: try Data(contentsOf: URL(fileURLWithPath: report)), as: UTF8.self))
    }

    @Test func usageMistakesExitWithTwoAndSayWhere() throws {
        let directory = CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let config = directory + "/sync.yaml"
        try "source: {registry: a}\ndestination: {layout: m}\nrepositories: [{name: x, tags: {semver: '>=1.x.2'}}]\n"
            .write(toFile: config, atomically: true, encoding: .utf8)
        var result = try CLIRunner.run(["sync", "--config", config])
        #expect(result.status == 2)
        #expect(result.stderr == "error: \(config):3:41: repositories[0].tags.semver: invalid version range '>=1.x.2': '1.x.2' is not a version (a wildcard may only end it, as in 1.x)\n")
        result = try CLIRunner.run(["sync", "--config", config, "--latest", "2"])
        #expect(result.status == 2 && result.stderr.contains("--latest applies to SOURCE DESTINATION"))
        // A typo is one line at FILE:LINE:COLUMN, as in serve.yaml.
        try "source: {registry: a}\ndestination: {layout: m}\nrepositories: [{name: x, tag: {latest: 1}}]\n"
            .write(toFile: config, atomically: true, encoding: .utf8)
        result = try CLIRunner.run(["sync", "--config", config])
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("error: \(config):3:26: unknown setting 'repositories[0].tag' (did you mean 'tags'?)"))
        #expect(result.stderr.split(separator: "\n").count == 1)
        result = try CLIRunner.run(["sync", "docker://h/team/app:1.0", directory + "/x"])
        #expect(result.status == 2 && result.stderr.contains("sync takes a repository"))
        result = try CLIRunner.run(["sync", "--tag-regex", "(", directory + "/a", directory + "/b"])
        #expect(result.status == 2 && result.stderr.contains("invalid regular expression '('"))
        result = try CLIRunner.run(["sync", "--help"])
        #expect(result.status == 0 && result.stdout.contains("Examples:"))
    }
}
