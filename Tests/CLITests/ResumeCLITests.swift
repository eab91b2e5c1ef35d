// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
import Testing

/// `ocitool copy` killed (SIGKILL) at a random point of a large layer, then run again: the second run moves
/// only the rest, counted by `ocitool serve`'s access log (issue 14).
@Suite(.serialized)
struct ResumeCLITests {
    static let layerSize: Int64 = 64 << 20

    /// The `bytes_out` (or `bytes_in`) of the access lines for `method` requests whose path contains `path`.
    static func bytes(_ lines: [[String: Any]], method: String, path: String, field: String) -> [Int64] {
        lines.filter { $0["method"] as? String == method && ($0["path"] as? String)?.contains(path) == true }
            .map { ($0[field] as? NSNumber)?.int64Value ?? 0 }
    }

    @Test func aKilledPullResumesWithARangeRequest() throws {
        let directory = CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let root = directory + "/root"
        let layer = try ResumeFixtures.makeLayout(at: root + "/team/app", tag: "v1", layerSize: ResumeCLITests.layerSize)
        let server = try LoggedServer(root: root, log: directory + "/access.log")
        defer { server.stop() }
        func destination(_ attempt: Int) -> String { directory + "/dest\(attempt)" }
        func copy(_ attempt: Int) -> [String] {
            ["copy", "--plain-http", "docker://\(server.host)/team/app:v1", destination(attempt)]
        }
        func partial(_ attempt: Int) -> String {
            "\(destination(attempt))/.ocitool/tmp/partial-sha256-\(layer.encoded)"
        }

        let target = Int64.random(in: ResumeCLITests.layerSize / 5...ResumeCLITests.layerSize * 4 / 5)
        var attempt = 0
        let killedAttempt = try ResumeFixtures.killMidway(
            { (next) in
                attempt = next
                return copy(next)
            }, target: target, progress: { FileSystem.fileSize(partial(attempt)) ?? 0 })
        try #require(killedAttempt != nil, "the copy always finished before it could be killed")
        let destination = destination(attempt)
        let partial = partial(attempt)
        let kept = try #require(FileSystem.fileSize(partial))
        #expect(kept >= target && kept < ResumeCLITests.layerSize)
        // kill -9 mid-blob: fsck is clean (the partial file is a temporary file, not a problem).
        var result = try CLIRunner.run(["fsck", destination])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")

        let mark = server.mark
        result = try CLIRunner.run(copy(attempt))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(FileSystem.fileSize(partial) == nil, "the partial file was committed")
        #expect(try OCILayout(at: destination).blobSize(layer) == ResumeCLITests.layerSize)
        result = try CLIRunner.run(["fsck", destination])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")

        // The second run fetched the layer once, from where the first stopped: a 206 of the remainder.
        let lines = server.lines(after: mark).filter { $0["error"] == nil }
        let gets = lines.filter { $0["method"] as? String == "GET" && ($0["path"] as? String)?.hasSuffix(layer.description) == true }
        #expect(gets.map { ($0["status"] as? NSNumber)?.intValue } == [206])
        let sent = ResumeCLITests.bytes(gets, method: "GET", path: layer.description, field: "bytes_out")
        #expect(sent == [ResumeCLITests.layerSize - kept])
        print("pull: killed at \(kept) of \(ResumeCLITests.layerSize) bytes; the second run fetched \(sent.reduce(0, +))")
    }

    @Test func aKilledPushResumesTheRegistrysUploadSession() throws {
        let directory = CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let root = directory + "/root"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let source = directory + "/src"
        let layer = try ResumeFixtures.makeLayout(at: source, tag: "v1", layerSize: ResumeCLITests.layerSize)
        let server = try LoggedServer(root: root, log: directory + "/access.log")
        defer { server.stop() }
        let chunk: Int64 = 1 << 20
        // A repository per attempt: one the blob reached is no use for another try.
        func copy(_ attempt: Int) -> [String] {
            ["copy", "--plain-http", "--upload-chunk-size", "\(chunk)", source + ":v1", "docker://\(server.host)/team/app\(attempt):v1"]
        }
        let uploads = root + "/.ocitool/uploads"

        let target = Int64.random(in: ResumeCLITests.layerSize / 5...ResumeCLITests.layerSize * 4 / 5)
        var received: Int64 = 0
        let killedAttempt = try ResumeFixtures.killMidway(
            copy, target: target,
            progress: {
                received = ResumeFixtures.bytes(under: uploads)
                return received
            })
        let attempt = try #require(killedAttempt, "the push always finished before it could be killed")
        let records = (try? FileManager.default.contentsOfDirectory(atPath: source + "/.ocitool/resume")) ?? []
        try #require(records.count == 1, "the upload session was recorded")
        let session = try String(contentsOfFile: source + "/.ocitool/resume/" + records[0], encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        // The server lets go of the session once it has seen the connection of the killed PATCH close.
        var polls = 0
        while try CLIRunner.get(session).0 != 204, polls < 200 {
            polls += 1
            usleep(50_000)
        }
        var result = try CLIRunner.run(["fsck", source])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")

        let mark = server.mark
        result = try CLIRunner.run(copy(attempt))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try OCILayout(at: root + "/team/app\(attempt)").blobSize(layer) == ResumeCLITests.layerSize)
        result = try CLIRunner.run(["fsck", root + "/team/app\(attempt)"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: source + "/.ocitool/resume").isEmpty)

        // The second run asked the session where it stood and sent only the rest: at most what the registry
        // had not received when the first run died, plus the chunk in flight.
        let lines = server.lines(after: mark)
        let uploaded = ResumeCLITests.bytes(lines, method: "PATCH", path: "/blobs/uploads/", field: "bytes_in").reduce(0, +)
        #expect(lines.contains { $0["method"] as? String == "GET" && ($0["path"] as? String)?.contains("/blobs/uploads/") == true })
        #expect(uploaded > 0 && uploaded <= ResumeCLITests.layerSize - received + chunk)
        print("push: killed with \(received) of \(ResumeCLITests.layerSize) bytes at the registry; the second run sent \(uploaded)")
    }
}
