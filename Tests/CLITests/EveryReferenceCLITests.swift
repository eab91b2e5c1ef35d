// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing
import TestSupport

/// tag, untag, rm and attach on a registry (`docker://`) as on a layout, read back with ls, discover and
/// inspect; and one clear error for a reference kind a command cannot change (an archive).
@Suite("CLI: every command on every reference")
struct EveryReferenceCLITests {
    /// A layout `DIR/app` holding `app:v1` and one holding another image, `DIR/other:v1`.
    static func withImages(_ body: (String) throws -> Void) throws {
        try FirstHourCLITests.withImported { directory in
            try CLIRunner.makeDockerArchive(at: directory + "/b.tar", tags: ["other:v1"], layers: 1)
            #expect(try CLIRunner.run(["import", directory + "/b.tar", directory + "/other"]).status == 0)
            try body(directory)
        }
    }

    /// `host:port` of a registry `/v2/` URL.
    static func host(_ url: String) -> String {
        url.replacingOccurrences(of: "http://", with: "").replacingOccurrences(of: "/v2/", with: "")
    }

    static func tags(_ repository: String) throws -> [String] {
        let listed = try CLIRunner.run(["ls", "--format", "json", repository])
        return ((try? JSONSerialization.jsonObject(with: Data(listed.stdout.utf8))) as? [String] ?? []).sorted()
    }

    @Test func tagUntagAttachAndRemoveInARegistry() throws {
        try Self.withImages { directory in
            let (server, url) = try CLIRunner.startServer(root: directory + "/store")
            defer { server.terminate() }
            let remote = "docker://\(Self.host(url))/team/app"
            #expect(try CLIRunner.run(["copy", directory + "/app:v1", remote + ":v1"]).status == 0)
            #expect(try CLIRunner.run(["copy", directory + "/other:v1", remote + ":v2"]).status == 0)
            let v1 = try FirstHourCLITests.digest(of: remote + ":v1")
            let v2 = try FirstHourCLITests.digest(of: remote + ":v2")

            let tagged = try CLIRunner.run(["tag", remote + ":v1", "stable", "prod"])
            #expect(tagged.status == 0, "\(tagged.stderr)")
            #expect(tagged.stdout == "\(remote):stable -> \(v1)\n\(remote):prod -> \(v1)\n")
            #expect(try Self.tags(remote) == ["prod", "stable", "v1", "v2"])
            #expect(try FirstHourCLITests.digest(of: remote + ":stable") == v1)

            // attach: the artifact and its subject, read back by discover; an equal one is not attached twice.
            let file = directory + "/sbom.json"
            try Data("{}".utf8).write(to: URL(fileURLWithPath: file))
            let attached = try CLIRunner.run(["attach", "--artifact-type", "application/spdx+json", file, remote + ":v1"])
            #expect(attached.stdout.hasPrefix("attached ") && attached.stdout.hasSuffix(" to \(v1)\n"), "\(attached.stderr)")
            let sbom = String(attached.stdout.split(separator: " ")[1])
            let again = try CLIRunner.run(["attach", "--artifact-type", "application/spdx+json", file, remote + ":v1"])
            #expect(again.stdout.hasPrefix("already attached as \(sbom) "), "\(again.stdout)\(again.stderr)")
            let discovered = try CLIRunner.run(["discover", remote + ":v1"]).stdout
            #expect(discovered.contains("application/spdx+json  \(sbom)"), "\(discovered)")
            #expect(discovered.components(separatedBy: "application/spdx+json").count == 2)
            #expect(try CLIRunner.run(["inspect", "--raw", "\(remote)@\(sbom)"]).stdout.contains(#""subject""#))

            // A tag that moves says so, and that the referrers stay with the image it left.
            let moved = try CLIRunner.run(["tag", remote + ":v2", "stable"])
            #expect(moved.stdout == "moved \(remote):stable from \(v1) to \(v2); the 1 referrer of \(v1) stay with it\n")

            let untagged = try CLIRunner.run(["untag", remote + ":prod"])
            #expect(untagged.stdout == "untagged \(remote):prod (was \(v1))\n", "\(untagged.stderr)")
            #expect(try Self.tags(remote) == ["stable", "v1", "v2"])
            #expect(try CLIRunner.run(["untag", remote + ":prod"]).status == 3)

            // rm: the image and every tag on it; the referrer is left behind (said), then removed along.
            let removed = try CLIRunner.run(["rm", remote + ":v1"])
            #expect(removed.status == 0, "\(removed.stderr)")
            #expect(removed.stdout.hasPrefix("removed \(v1); the registry's garbage collection frees its blobs\n"))
            #expect(removed.stdout.contains("left behind, untagged: 1 referrer of it"), "\(removed.stdout)")
            #expect(try Self.tags(remote) == ["stable", "v2"])
            #expect(try CLIRunner.run(["inspect", "\(remote)@\(v1)"]).status == 3)

            let signed = try CLIRunner.run(["attach", "--artifact-type", "application/vnd.example.sig", file, remote + ":v2"])
            let signature = String(signed.stdout.split(separator: " ")[1])
            #expect(try CLIRunner.run(["attach", "--artifact-type", "application/vnd.example.sig", file, "\(remote)@\(signature)"]).status == 0)
            let all = try CLIRunner.run(["rm", "--with-referrers", remote + "@" + v2])
            #expect(all.status == 0, "\(all.stderr)")
            #expect(all.stdout.split(separator: "\n").filter { $0.hasPrefix("removed sha256:") }.count == 3, "\(all.stdout)")
            #expect(all.stdout.contains("\(signature)  application/vnd.example.sig"))
            #expect(try CLIRunner.run(["inspect", "\(remote)@\(signature)"]).status == 3)
            #expect(try Self.tags(remote) == [])
        }
    }

    @Test func aRegistryThatRefusesDeletesSaysSo() throws {
        try FirstHourCLITests.withImported { directory in
            let (server, url) = try CLIRunner.startServer(root: directory + "/store", ["--no-delete"])
            defer { server.terminate() }
            let remote = "docker://\(Self.host(url))/app"
            #expect(try CLIRunner.run(["copy", directory + "/app:v1", remote + ":v1"]).status == 0)
            let untag = try CLIRunner.run(["untag", remote + ":v1"])
            #expect(untag.status == 1)
            #expect(untag.stderr.hasPrefix("error: registry \(Self.host(url)) does not allow deleting tags"), "\(untag.stderr)")
            let rm = try CLIRunner.run(["rm", remote + ":v1"])
            #expect(rm.status == 1)
            #expect(rm.stderr.hasPrefix("error: registry \(Self.host(url)) does not allow deleting manifests"), "\(rm.stderr)")
            #expect(try Self.tags(remote) == ["v1"])
        }
    }

    @Test(.enabled(if: DistributionRegistry.isAvailable, "needs /usr/bin/docker-registry"))
    func attachToARegistryWithoutTheReferrersAPIUsesTheFallbackTag() throws {
        let registry = try DistributionRegistry()
        defer { registry.stop() }
        try FirstHourCLITests.withImported { directory in
            let remote = "docker://\(registry.host)/team/app"
            #expect(try CLIRunner.run(["copy", directory + "/app:v1", remote + ":v1"]).status == 0)
            let v1 = try FirstHourCLITests.digest(of: remote + ":v1")
            let file = directory + "/sbom.json"
            try Data("{}".utf8).write(to: URL(fileURLWithPath: file))
            let attached = try CLIRunner.run(["attach", "--artifact-type", "application/spdx+json", file, remote + ":v1"])
            #expect(attached.status == 0, "\(attached.stderr)")
            let sbom = String(attached.stdout.split(separator: " ")[1])
            let fallback = "sha256-" + v1.dropFirst("sha256:".count)
            #expect(try Self.tags(remote) == [fallback, "v1"])
            #expect(try CLIRunner.run(["attach", "--artifact-type", "application/spdx+json", file, remote + ":v1"])
                .stdout.hasPrefix("already attached as \(sbom) "))
            #expect(try CLIRunner.run(["discover", remote + ":v1"]).stdout.contains(sbom))
            // Distribution 2.8 cannot delete a tag alone (it answers 400 DIGEST_INVALID): said so, with what works.
            #expect(try CLIRunner.run(["tag", remote + ":v1", "v2"]).status == 0)
            let untag = try CLIRunner.run(["untag", remote + ":v2"])
            #expect(untag.status == 1)
            #expect(untag.stderr.hasPrefix("error: registry \(registry.host) does not allow deleting tags"), "\(untag.stderr)")
            #expect(untag.stderr.contains("hint: 'ocitool rm' deletes the image with every tag on it"), "\(untag.stderr)")

            let all = try CLIRunner.run(["rm", "--with-referrers", remote + ":v1"])
            #expect(all.status == 0, "\(all.stderr)")
            #expect(all.stdout.contains("removed \(sbom)  application/spdx+json"), "\(all.stdout)")
            #expect(try Self.tags(remote) == [])
        }
    }

    @Test(arguments: ["tag", "untag", "rm", "attach"])
    func anArchiveIsNamedAsTheKindACommandDoesNotTake(_ command: String) throws {
        let directory = CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try CLIRunner.makeDockerArchive(at: directory + "/a.tar", tags: ["app:v1"], layers: 1)
        let arguments: [String] =
            switch command {
            case "tag": ["tag", "oci-archive:\(directory)/a.tar:v1", "stable"]
            case "attach": ["attach", "--artifact-type", "application/spdx+json", directory + "/a.tar", "docker-archive:\(directory)/a.tar:app:v1"]
            default: [command, "docker-archive:\(directory)/a.tar:app:v1"]
            }
        let result = try CLIRunner.run(arguments)
        #expect(result.status == 2)
        let archive = arguments.last ?? ""
        #expect(
            result.stderr.hasPrefix(
                "error: \(command) works on a layout (PATH[:TAG|@DIGEST]) or a registry "
                    + "(docker://HOST/REPO[:TAG|@DIGEST]), not on \(command == "tag" ? arguments[1] : archive)\n"),
            "\(result.stderr)")
    }
}
