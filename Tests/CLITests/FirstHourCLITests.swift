// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing

/// What a new user met in the first hour: tags that moved silently, a selection import did not take, media
/// types nobody checked, a second identical attachment, and messages that said the wrong thing.
@Suite("CLI: the first hour")
struct FirstHourCLITests {
    /// A scratch directory with a one-image archive of `app:v1` imported into `DIR/app`.
    static func withImported(_ body: (String) throws -> Void) throws {
        let directory = CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try CLIRunner.makeDockerArchive(at: directory + "/a.tar", tags: ["app:v1"], layers: 1)
        let result = try CLIRunner.run(["import", directory + "/a.tar", directory + "/app"])
        #expect(result.status == 0, "\(result.stderr)")
        // Configs and layers are counted, not the manifest (as copy counts them).
        #expect(result.stdout.contains("imported 1 image from docker-archive: 2 new blobs"), "\(result.stdout)")
        try body(directory)
    }

    /// Attaches an SBOM file (`DIR/sbom.json`) to `image`; returns the file's path.
    @discardableResult
    static func attachSBOM(in directory: String, to image: String) throws -> String {
        let file = directory + "/sbom.json"
        try Data("{}".utf8).write(to: URL(fileURLWithPath: file))
        #expect(try CLIRunner.run(["attach", "--artifact-type", "application/spdx+json", file, image]).status == 0)
        return file
    }

    static func digest(of reference: String) throws -> String {
        let result = try CLIRunner.run(["inspect", "--format", "json", reference])
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        return (object?["descriptor"] as? [String: Any])?["digest"] as? String ?? ""
    }

    @Test func aTagThatMovesSaysFromWhereAndThatReferrersStay() throws {
        try Self.withImported { directory in
            let app = directory + "/app"
            try Self.attachSBOM(in: directory, to: app + ":v1")
            let old = try Self.digest(of: app + ":v1")
            try CLIRunner.makeDockerArchive(at: directory + "/b.tar", tags: ["app:v1"], layers: 1)
            let imported = try CLIRunner.run(["import", directory + "/b.tar", app])
            let new = try Self.digest(of: app + ":v1")
            #expect(new != old)
            #expect(imported.stdout.contains("moved \(app):v1 from \(old) to \(new); the 1 referrer of \(old) stay with it"), "\(imported.stdout)")
            #expect(try CLIRunner.run(["tag", app + "@" + old, "stable"]).stdout == "\(app):stable -> \(old)\n")
            let moved = try CLIRunner.run(["tag", app + ":v1", "stable"])
            #expect(moved.stdout.hasPrefix("moved \(app):stable from \(old) to \(new)"), "\(moved.stdout)")
        }
    }

    @Test func aTagStartingWithADashIsExplained() throws {
        try Self.withImported { directory in
            let result = try CLIRunner.run(["tag", directory + "/app:v1", "-rc1"])
            #expect(result.status == 2)
            #expect(result.stderr.hasPrefix("error: a tag cannot start with '-' (-rc1)"), "\(result.stderr)")
        }
    }

    @Test func importTakesTheSelectionCopyTakes() throws {
        let directory = CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try CLIRunner.makeDockerArchive(at: directory + "/two.tar", tags: ["app:v1", "tools:v2"], layers: 1)
        let clash = try CLIRunner.run(["import", directory + "/two.tar", directory + "/one:x"])
        #expect(clash.status != 0)
        let result = try CLIRunner.run(["import", "docker-archive:\(directory)/two.tar:tools:v2", directory + "/one"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try CLIRunner.run(["ls", directory + "/one"]).stdout.contains("v2"))
        #expect(!(try CLIRunner.run(["ls", directory + "/one"]).stdout.contains("v1")))
    }

    @Test func attachChecksMediaTypesAndDoesNotRepeatItself() throws {
        try Self.withImported { directory in
            let app = directory + "/app:v1"
            let file = directory + "/sbom.json"
            try Data("{}".utf8).write(to: URL(fileURLWithPath: file))
            let bad = try CLIRunner.run(["attach", "--artifact-type", "not a media type", file, app])
            #expect(bad.status == 2)
            #expect(bad.stderr.contains("is not a media type"), "\(bad.stderr)")
            #expect(try CLIRunner.run(["discover", app]).stdout.hasSuffix("no referrers\n"))
            // Created in the past, so the later runs differ from it in their creation time only.
            let first = try CLIRunner.run([
                "attach", "--artifact-type", "application/spdx+json", "--annotation",
                "org.opencontainers.image.created=2024-01-01T00:00:00Z", file, app,
            ])
            #expect(first.stdout.hasPrefix("attached "))
            let again = try CLIRunner.run(["attach", "--artifact-type", "application/spdx+json", file, app])
            #expect(again.stdout.hasPrefix("already attached as "), "\(again.stdout)")
            let forced = try CLIRunner.run(["attach", "--force", "--artifact-type", "application/spdx+json", file, app])
            #expect(forced.stdout.hasPrefix("attached "))
            let tree = try CLIRunner.run(["discover", app]).stdout
            #expect(tree.components(separatedBy: "application/spdx+json").count - 1 == 2)
        }
    }

    @Test func missingThingsAreNotFound() throws {
        let directory = CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let listed = try CLIRunner.run(["ls", directory + "/nothing"])
        #expect(listed.status == 3)
        #expect(listed.stderr.hasPrefix("error: \(directory)/nothing does not exist"), "\(listed.stderr)")
        let imported = try CLIRunner.run(["import", directory + "/missing.tar", directory + "/app"])
        #expect(imported.status == 3, "\(imported.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory + "/app"))
    }

    @Test func serveCreatesAMissingRootOnlyUnderAnExistingParent() throws {
        let directory = CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let typo = try CLIRunner.run(["serve", "--root", directory + "/no/such/store", "--port", "0"])
        #expect(typo.status == 3)
        #expect(typo.stderr.hasPrefix("error: the store root \(directory)/no/such/store does not exist"), "\(typo.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory + "/no"))
        let (server, url) = try CLIRunner.startServer(root: directory + "/store")
        defer { server.terminate() }
        #expect(url.hasSuffix("/v2/"))
        var isDirectory: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: directory + "/store", isDirectory: &isDirectory) && isDirectory.boolValue)
    }

    @Test func htpasswdWritesUsersTheServerAccepts() throws {
        let directory = CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = directory + "/htpasswd"
        func setPassword(_ user: String, _ password: String) throws -> CLIRunner.Result {
            let input = directory + "/input"
            try Data((password + "\n").utf8).write(to: URL(fileURLWithPath: input))
            return try CLIRunner.run(["htpasswd", file, user], stdin: FileHandle(forReadingAtPath: input))
        }
        #expect(try setPassword("alice", "first").stdout == "added alice to \(file)\n")
        #expect(try setPassword("bob", "b-secret").status == 0)
        #expect(try setPassword("alice", "a-secret").stdout == "changed the password of alice in \(file)\n")
        let lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n")
        #expect(lines.map { $0.prefix(10) } == ["alice:$2y$", "bob:$2y$10"])
        #expect((try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int) == 0o600)
        let removed = try CLIRunner.run(["htpasswd", "--delete", file, "bob"])
        #expect(removed.stdout == "removed bob from \(file)\n")
        #expect(try CLIRunner.run(["htpasswd", "--delete", file, "bob"]).status == 3)

        let (server, url) = try CLIRunner.startServer(root: directory + "/store", ["--htpasswd", file])
        defer { server.terminate() }
        func status(_ credentials: String) throws -> Int {
            try CLIRunner.get(url.replacingOccurrences(of: "http://", with: "http://\(credentials)@")).0
        }
        #expect(try status("alice:a-secret") == 200)
        #expect(try status("alice:first") == 401)
        #expect(try status("bob:b-secret") == 401)
    }

    @Test func rmSaysWhatItLeavesOrTakesTheReferrersAlong() throws {
        try Self.withImported { directory in
            let app = directory + "/app"
            let file = try Self.attachSBOM(in: directory, to: app + ":v1")
            let sbom = try #require(try CLIRunner.run(["attach", "--artifact-type", "application/spdx+json", "--force", "--annotation", "n=2", file, app + ":v1"]).stdout.split(separator: " ").dropFirst().first)
            #expect(try CLIRunner.run(["attach", "--artifact-type", "application/vnd.example.sig", file, "\(app)@\(sbom)"]).status == 0)
            try FileManager.default.copyItem(atPath: app, toPath: directory + "/copy")

            let plain = try CLIRunner.run(["rm", app + ":v1"])
            #expect(plain.stdout.contains("left behind, untagged: 3 referrers of it"), "\(plain.stdout)")

            let all = try CLIRunner.run(["rm", "--with-referrers", directory + "/copy:v1"])
            #expect(all.status == 0)
            #expect(all.stdout.split(separator: "\n").filter { $0.hasPrefix("removed sha256:") }.count == 4, "\(all.stdout)")
            #expect(all.stdout.contains("\(sbom)  application/spdx+json"))
            let index = try String(contentsOfFile: directory + "/copy/index.json", encoding: .utf8)
            #expect(!index.contains("sha256:"), "\(index)")
            #expect(try CLIRunner.run(["fsck", directory + "/copy"]).status == 0)
        }
    }

    /// A registry on loopback is insecure as docker treats it: the plain-HTTP server answers without a flag, and
    /// --tls-verify=false reaches it too.
    @Test func aLoopbackRegistryNeedsNoPlainHTTPFlag() throws {
        try Self.withImported { directory in
            try FileManager.default.createDirectory(atPath: directory + "/store", withIntermediateDirectories: true)
            try FileManager.default.moveItem(atPath: directory + "/app", toPath: directory + "/store/app")
            let (server, url) = try CLIRunner.startServer(root: directory + "/store")
            defer { server.terminate() }
            let host = url.replacingOccurrences(of: "http://", with: "").replacingOccurrences(of: "/v2/", with: "")
            for flags in [[], ["--tls-verify=false"]] {
                let inspected = try CLIRunner.run(["inspect"] + flags + ["docker://\(host)/app:v1"])
                #expect(inspected.status == 0, "\(flags): \(inspected.stderr)")
                let discovered = try CLIRunner.run(["discover"] + flags + ["docker://\(host)/app:v1"])
                #expect(discovered.stdout.hasSuffix("no referrers\n"), "\(flags): \(discovered.stderr)")
            }
            let copied = try CLIRunner.run(["copy", "docker://\(host)/app:v1", directory + "/pulled:v1"])
            #expect(copied.status == 0, "\(copied.stderr)")
        }
    }
}
