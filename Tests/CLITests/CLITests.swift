// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
import Testing

@Suite("The ocitool binary, as users run it")
struct CLITests {
    static let commands = [
        "init", "ls", "inspect", "tag", "untag", "rm", "import", "export", "copy", "attach", "discover", "gc", "fsck",
        "serve", "sync", "login", "logout", "sign", "verify", "attest", "verify-attestation",
    ]

    @Test(arguments: commands)
    func everyCommandHasHelpWithExamples(command: String) throws {
        let result = try CLIRunner.run([command, "--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("Example"), "\(command) --help has no example")
    }

    /// Help read in an 80-column terminal (or a pipe): paragraphs flow to the width instead of breaking twice,
    /// and no example is broken onto a line of its own that a reader could not paste.
    @Test(arguments: [""] + commands)
    func helpFitsEightyColumns(command: String) throws {
        let help = try CLIRunner.run(command.isEmpty ? ["--help"] : [command, "--help"]).stdout
        let discussion = help.components(separatedBy: "\nUSAGE:")[0].split(separator: "\n", omittingEmptySubsequences: false)
        for (line, next) in zip(discussion, discussion.dropFirst()) {
            if line.hasPrefix("  ") {
                #expect(next.isEmpty || next.hasPrefix("  "), "\(command): an example or table line wrapped: \(next)")
            } else if !line.isEmpty, !next.isEmpty, !next.hasPrefix("  ") {
                #expect(line.count > 40, "\(command): a ragged paragraph line: \(line)")
            }
        }
    }

    @Test func errorsAreOneLineWithDocumentedExitCodes() throws {
        let directory = CLIRunner.temporaryDirectory()
        // Not found: 3.
        var result = try CLIRunner.run(["inspect", directory + "/missing:v1"])
        #expect(result.status == 3)
        #expect(result.stderr.hasPrefix("error: "))
        #expect(result.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") }.count == 1)
        // Usage: 2, from our grammar and from argument parsing alike.
        result = try CLIRunner.run(["tag", directory + "/x:v1", "-bad"])
        #expect(result.status == 2)
        result = try CLIRunner.run(["ls"])
        #expect(result.status == 2)
        // Argument parsing errors look like ocitool's own: one error line, and a hint naming the right help.
        result = try CLIRunner.run(["ls", "--formt", "json", directory])
        #expect(result.status == 2)
        #expect(result.stderr == "error: unknown option '--formt'. Did you mean '--format'?\nhint: see 'ocitool ls --help'\n")
        // A rejected archive leaves nothing behind, not even the layout the import made for it.
        try Data("junk".utf8).write(to: URL(fileURLWithPath: directory + "/junk.tar"))
        result = try CLIRunner.run(["import", directory + "/junk.tar", directory + "/fresh"])
        #expect(result.status == 1 && result.stderr.hasPrefix("error: malformed archive"))
        #expect(!FileManager.default.fileExists(atPath: directory + "/fresh"))
        result = try CLIRunner.run(["import", directory, directory + "/fresh"])
        #expect(result.status == 2 && result.stderr.contains("is a directory, not a tarball"))
        // A registry reference without docker:// is pointed out.
        result = try CLIRunner.run(["inspect", "127.0.0.1:5999/team/app:1.0"])
        #expect(result.status == 3 && result.stderr.hasSuffix("hint: for a registry, write docker://127.0.0.1:5999/team/app\n"))
        result = try CLIRunner.run(["inspect", directory + "/x@sha256:nothex"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("invalid digest"))
    }

    @Test func importTagInspectAndJSON() throws {
        let directory = CLIRunner.temporaryDirectory()
        let archive = directory + "/images.tar"
        try CLIRunner.makeDockerArchive(at: archive, tags: ["app:1.0", "app:1.1"])
        let layout = directory + "/app"
        var result = try CLIRunner.run(["import", "--format", "json", archive, layout])
        #expect(result.status == 0, "\(result.stderr)")
        let imported = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect((imported?["images"] as? [Any])?.count == 2)

        result = try CLIRunner.run(["tag", layout + ":1.0", "stable", "prod"])
        #expect(result.status == 0, "\(result.stderr)")
        // An export into a missing directory names the directory, not a temporary file.
        result = try CLIRunner.run(["export", layout + ":1.0", directory + "/missing/out.tar"])
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("error: cannot write \(directory)/missing/out.tar: the directory \(directory)/missing does not exist"))
        result = try CLIRunner.run(["ls", "--format", "json", layout])
        let rows = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]]
        #expect(rows?.compactMap { $0["tag"] as? String } == ["1.0", "1.1", "prod", "stable"])

        result = try CLIRunner.run(["inspect", "--format", "json", layout + ":stable"])
        let summary = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect((summary?["layers"] as? [Any])?.count == 2)
        #expect((summary?["platform"] as? [String: Any])?["architecture"] as? String == "amd64")
    }

    @Test func importFromStandardInput() throws {
        let directory = CLIRunner.temporaryDirectory()
        let archive = directory + "/image.tar"
        try CLIRunner.makeDockerArchive(at: archive, tags: ["app:piped"])
        let input = try #require(FileHandle(forReadingAtPath: archive))
        let result = try CLIRunner.run(["import", "-", directory + "/app"], stdin: input)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try OCILayout(at: directory + "/app").readIndex().tags == ["piped"])
    }

    @Test func parallelTagProcessesLoseNothing() throws {
        let directory = CLIRunner.temporaryDirectory()
        let archive = directory + "/image.tar"
        try CLIRunner.makeDockerArchive(at: archive, tags: ["app:base"], layers: 1)
        let layout = directory + "/app"
        #expect(try CLIRunner.run(["import", archive, layout]).status == 0)
        let processes = try (0..<16).map { worker in
            try CLIRunner.start(["tag", layout + ":base"] + (0..<5).map { "w\(worker)-\($0)" })
        }
        #expect(CLIRunner.waitAll(processes).allSatisfy { $0 == 0 })
        #expect(try OCILayout(at: layout).readIndex().tags.count == 1 + 16 * 5)
    }

    @Test func parallelImportsIntoOneLayoutLoseNothing() throws {
        let directory = CLIRunner.temporaryDirectory()
        let layout = directory + "/app"
        let archives = try (0..<6).map { number in
            let path = directory + "/image\(number).tar"
            try CLIRunner.makeDockerArchive(at: path, tags: ["app:v\(number)"], layers: 2)
            return path
        }
        #expect(try CLIRunner.run(["init", layout]).status == 0)
        let processes = try archives.map { try CLIRunner.start(["import", $0, layout]) }
        #expect(CLIRunner.waitAll(processes).allSatisfy { $0 == 0 })
        #expect(try OCILayout(at: layout).readIndex().tags == (0..<6).map { "v\($0)" })
        #expect(try CLIRunner.run(["fsck", layout]).status == 0)
    }

    @Test func killedImportLeavesAnFsckCleanLayout() throws {
        let directory = CLIRunner.temporaryDirectory()
        let archive = directory + "/big.tar"
        try CLIRunner.makeDockerArchive(at: archive, tags: ["app:big"], layers: 4, layerSize: 8 << 20)
        let layout = directory + "/app"
        #expect(try CLIRunner.run(["init", layout]).status == 0)
        for attempt in 0..<6 {
            let (process, _, _) = try CLIRunner.start(["import", archive, layout + ":try\(attempt)"])
            usleep(UInt32.random(in: 1_000...250_000))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let fsck = try CLIRunner.run(["fsck", layout])
            #expect(fsck.status == 0, "after kill \(attempt): \(fsck.stdout) \(fsck.stderr)")
            let tags = try OCILayout(at: layout).readIndex().tags
            // Either the import committed whole (tag present, content complete) or not at all.
            #expect(tags.allSatisfy { $0.hasPrefix("try") })
        }
        // A complete run still succeeds afterwards and the result is clean.
        #expect(try CLIRunner.run(["import", archive, layout + ":final"]).status == 0)
        #expect(try CLIRunner.run(["fsck", layout]).status == 0)
    }

    @Test func fsckExitsFourOnCorruption() throws {
        let directory = CLIRunner.temporaryDirectory()
        let archive = directory + "/image.tar"
        try CLIRunner.makeDockerArchive(at: archive, tags: ["app:v1"], layers: 1)
        let layout = directory + "/app"
        #expect(try CLIRunner.run(["import", archive, layout]).status == 0)
        let oci = try OCILayout(at: layout)
        let manifest = try oci.manifest(try oci.resolve(.tag("v1")))
        let layer = try #require(manifest.references.last)
        let handle = try #require(FileHandle(forWritingAtPath: oci.blobPath(layer.digest)))
        try handle.seek(toOffset: 100)
        handle.write(Data([0xFF, 0x00, 0xFF]))
        try handle.close()
        let result = try CLIRunner.run(["fsck", layout])
        #expect(result.status == 4)
        #expect(result.stdout.contains(layer.digest.description))
    }

    @Test func badArchiveIsRejectedWholeWithOneErrorLine() throws {
        let directory = CLIRunner.temporaryDirectory()
        let archive = directory + "/image.tar"
        try CLIRunner.makeDockerArchive(at: archive, tags: ["app:v1"], layers: 2, layerSize: 64 << 10)
        let data = try Data(contentsOf: URL(fileURLWithPath: archive))
        let truncated = directory + "/truncated.tar"
        try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: truncated))
        let layout = directory + "/app"
        #expect(try CLIRunner.run(["init", layout]).status == 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: layout + "/index.json"))
        let result = try CLIRunner.run(["import", truncated, layout])
        #expect(result.status == 1)
        #expect(result.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") }.count == 1)
        #expect(try Data(contentsOf: URL(fileURLWithPath: layout + "/index.json")) == before)
        #expect(try OCILayout(at: layout).allBlobs().isEmpty)
        #expect(try CLIRunner.run(["fsck", layout]).status == 0)
    }

    @Test func malformedIndexIsReportedAndLeftAlone() throws {
        let directory = CLIRunner.temporaryDirectory()
        let layout = directory + "/app"
        #expect(try CLIRunner.run(["init", layout]).status == 0)
        let broken = Data(#"{"schemaVersion":2,"manifests":[{"digest":"#.utf8)
        try broken.write(to: URL(fileURLWithPath: layout + "/index.json"))
        let archive = directory + "/image.tar"
        try CLIRunner.makeDockerArchive(at: archive, tags: ["app:v1"], layers: 1)
        for arguments in [["ls", layout], ["inspect", layout + ":v1"], ["import", archive, layout]] {
            let result = try CLIRunner.run(arguments)
            #expect(result.status == 1, "\(arguments)")
            let errors = result.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") }
            #expect(errors.count == 1 && errors[0].contains("index.json is malformed"), "\(result.stderr)")
        }
        // Nothing rewrote the broken file: the user can still inspect and repair it.
        #expect(try Data(contentsOf: URL(fileURLWithPath: layout + "/index.json")) == broken)
        let fsck = try CLIRunner.run(["fsck", layout])
        #expect(fsck.status == 4)
        #expect(fsck.stdout.contains("invalidIndex"))
    }

    @Test func copyBetweenArchivesAndLayoutsKeepsDigestsAndReferrers() throws {
        let directory = CLIRunner.temporaryDirectory()
        let archive = directory + "/image.tar"
        try CLIRunner.makeDockerArchive(at: archive, tags: ["app:v1", "other:v2"])
        let build = directory + "/build"
        #expect(try CLIRunner.run(["copy", "docker-archive:\(archive):app:v1", build + ":v1"]).status == 0)
        let sbom = directory + "/sbom.json"
        try Data(#"{"spdxVersion":"SPDX-2.3"}"#.utf8).write(to: URL(fileURLWithPath: sbom))
        #expect(try CLIRunner.run(["attach", "--artifact-type", "application/spdx+json", sbom, build + ":v1"]).status == 0)
        let digest = try OCILayout(at: build).resolve(.tag("v1")).digest

        // layout -> oci-archive -> layout: same digest, the SBOM comes along, nothing left in staging.
        let bundle = directory + "/bundle.tar"
        var result = try CLIRunner.run(["copy", build + ":v1", "oci-archive:" + bundle])
        #expect(result.status == 0, "\(result.stderr)")
        let release = directory + "/release"
        result = try CLIRunner.run(["copy", "--format", "json", "oci-archive:\(bundle):v1", release + ":1.0"])
        #expect(result.status == 0, "\(result.stderr)")
        let copied = try OCILayout(at: release)
        #expect(try copied.resolve(.tag("1.0")).digest == digest)
        #expect(try copied.referrers(of: digest).map(\.artifactType) == ["application/spdx+json"])
        #expect(FileSystem.list(release + "/.ocitool/tmp").isEmpty)
        #expect(try CLIRunner.run(["fsck", release]).status == 0)

        // --raw prints the exact manifest bytes: they hash to the digest.
        result = try CLIRunner.run(["inspect", "--raw", release + ":1.0"])
        #expect(Digest.sha256(of: Data(result.stdout.utf8)) == digest)
        // A bad tag is a usage error (2), and no tag of the batch is applied.
        result = try CLIRunner.run(["tag", release + ":1.0", "good", "bad!"])
        #expect(result.status == 2 && result.stderr.hasPrefix("error: invalid tag"))
        #expect(try copied.readIndex().tags == ["1.0"])
    }

    @Test func serveAnswersOnTheAnnouncedPortAndStopsOnSIGTERM() throws {
        let (process, url) = try CLIRunner.startServer(root: CLIRunner.temporaryDirectory())
        #expect(url.hasPrefix("http://127.0.0.1:"))
        let (status, _) = try CLIRunner.get(url)
        #expect(status == 200)
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }

    @Test func copyThroughTheRegistryKeepsDigestsAndReferrers() throws {
        let directory = CLIRunner.temporaryDirectory()
        let archive = directory + "/image.tar"
        try CLIRunner.makeDockerArchive(at: archive, tags: ["app:v1"])
        let build = directory + "/build"
        #expect(try CLIRunner.run(["import", archive, build]).status == 0)
        let sbom = directory + "/sbom.json"
        try Data(#"{"spdxVersion":"SPDX-2.3"}"#.utf8).write(to: URL(fileURLWithPath: sbom))
        #expect(try CLIRunner.run(["attach", "--artifact-type", "application/spdx+json", sbom, build + ":v1"]).status == 0)
        let digest = try OCILayout(at: build).resolve(.tag("v1")).digest

        let (server, url) = try CLIRunner.startServer(root: directory + "/store")
        defer { kill(server.processIdentifier, SIGTERM); server.waitUntilExit() }
        let host = String(url.dropFirst("http://".count).dropLast("/v2/".count))
        let remote = "docker://\(host)/team/app:v1"
        var result = try CLIRunner.run(["copy", "--plain-http", build + ":v1", remote])
        #expect(result.status == 0, "\(result.stderr)")
        result = try CLIRunner.run(["ls", "--plain-http", "--format", "json", "docker://\(host)/team/app"])
        #expect(result.stdout.contains("\"v1\""))
        result = try CLIRunner.run(["inspect", "--plain-http", "--raw", remote])
        #expect(Digest.sha256(of: Data(result.stdout.utf8)) == digest)
        // discover asks the registry's referrers API, as it reads a layout's index.json.
        result = try CLIRunner.run(["discover", "--plain-http", "--format", "json", remote])
        let tree = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]]
        #expect(tree?.compactMap { ($0["descriptor"] as? [String: Any])?["artifactType"] as? String } == ["application/spdx+json"])
        // Pushed into the store: the CLI sees the same repository, and it is fsck-clean.
        #expect(try CLIRunner.run(["fsck", directory + "/store/team/app"]).status == 0)

        let pulled = directory + "/pulled"
        result = try CLIRunner.run(["copy", "--plain-http", remote, pulled + ":v1"])
        #expect(result.status == 0, "\(result.stderr)")
        let layout = try OCILayout(at: pulled)
        #expect(try layout.resolve(.tag("v1")).digest == digest)
        #expect(try layout.referrers(of: digest).map(\.artifactType) == ["application/spdx+json"])
        // A destination without a tag keeps the source's, so the bundle names its image (as skopeo needs).
        let bundle = directory + "/bundle.tar"
        result = try CLIRunner.run(["copy", "--plain-http", remote, "oci-archive:" + bundle])
        #expect(result.status == 0, "\(result.stderr)")
        result = try CLIRunner.run(["inspect", "--raw", "oci-archive:\(bundle):v1"])
        #expect(result.status == 0 && Digest.sha256(of: Data(result.stdout.utf8)) == digest, "\(result.stderr)")
        // A docker archive cannot hold referrers, so none are fetched, and the output says so.
        result = try CLIRunner.run(["copy", "--plain-http", remote, "docker-archive:\(directory)/docker.tar:app:v1"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.hasSuffix(", 0 referrers (a docker archive holds no referrers: none copied)\n"), "\(result.stdout)")
        // A missing image is "not found" (exit 3), with one error line.
        result = try CLIRunner.run(["copy", "--plain-http", "docker://\(host)/team/app:nope", pulled + ":x"])
        #expect(result.status == 3 && result.stderr.hasPrefix("error: "))
    }
}
