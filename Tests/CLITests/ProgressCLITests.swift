// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
import Testing

/// Progress lines of copy and sync: drawn on a terminal (run under a pseudo-terminal with util-linux
/// `script`), cleared before results and errors, and absent when stderr is not a terminal.
@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script"), "needs /usr/bin/script"))
struct ProgressCLITests {
    /// `\r`, then erase to the end of the line: how every progress redraw (and the final clear) starts.
    static let redraw = "\r\u{1B}[K"

    /// Runs ocitool on a pseudo-terminal (stdout and stderr both the terminal); returns what the terminal got.
    static func runOnTerminal(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let command = ([CLIRunner.binary] + arguments).map { "'\($0)'" }.joined(separator: " ")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        process.arguments = ["-qfec", command, "/dev/null"]
        process.standardInput = FileHandle.nullDevice
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Whether `text` holds a progress line: `LABEL SIZE  RATE/s` right after a redraw.
    static func hasProgress(_ text: String, label: String) throws -> Bool {
        text.contains(try Regex("\r\u{1B}\\[K\(label) [0-9.]+ (B|KiB|MiB)  [0-9.]+ (B|KiB|MiB|GiB)/s"))
    }

    @Test func copyAndSyncDrawProgressOnlyOnATerminal() throws {
        let server = try RegistryAuthCLITests.Server()
        defer { server.stop() }
        let directory = CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let archive = directory + "/images.tar"
        try CLIRunner.makeDockerArchive(at: archive, tags: ["app:1.0", "app:2.0"], layers: 2, layerSize: 1 << 20)
        let layout = directory + "/layout"
        #expect(try CLIRunner.run(["import", archive, layout]).status == 0)
        let remote = "docker://\(server.host)/team/app"

        // On a terminal: the progress line, then the result on a cleared line.
        var terminal = try ProgressCLITests.runOnTerminal(["copy", "--plain-http", layout + ":1.0", remote + ":1.0"])
        #expect(terminal.status == 0, "\(terminal.output)")
        #expect(try ProgressCLITests.hasProgress(terminal.output, label: "copying"), "\(terminal.output.debugDescription)")
        #expect(terminal.output.contains(ProgressCLITests.redraw + "copied sha256:"), "\(terminal.output.debugDescription)")
        terminal = try ProgressCLITests.runOnTerminal(["sync", "--plain-http", layout, remote])
        #expect(terminal.status == 0, "\(terminal.output)")
        #expect(try ProgressCLITests.hasProgress(terminal.output, label: "syncing"), "\(terminal.output.debugDescription)")
        #expect(terminal.output.contains(ProgressCLITests.redraw + "copied  \(layout):2.0"), "\(terminal.output.debugDescription)")
        #expect(terminal.output.contains("skipped \(layout):1.0: up to date"))

        // Not on a terminal: the same commands print results only.
        for arguments in [
            ["copy", "--plain-http", remote + ":1.0", directory + "/back:1.0"],
            ["sync", "--plain-http", remote, directory + "/mirror"],
        ] {
            let result = try CLIRunner.run(arguments)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stderr.isEmpty, "\(result.stderr.debugDescription)")
            #expect(!result.stdout.contains("\r") && !result.stdout.contains("\u{1B}"), "\(result.stdout.debugDescription)")
            #expect(!result.stdout.contains("copying") && !result.stdout.contains("syncing"))
        }
        #expect(try OCILayout(at: directory + "/mirror").readIndex().tags == ["1.0", "2.0"])

        // A copy failing mid-transfer (a blob corrupted in the registry's store) clears the line before the error.
        let image = try OCILayout(at: layout).resolve(.tag("1.0"))
        guard case .image(let manifest) = try OCILayout(at: layout).manifest(image).kind else {
            Issue.record("not an image")
            return
        }
        let blob = "\(server.directory)/store/team/app/blobs/sha256/\(try #require(manifest.layers.last).digest.encoded)"
        let file = try FileHandle(forUpdating: URL(fileURLWithPath: blob))
        try file.seek(toOffset: 1000)
        try file.write(contentsOf: Data(repeating: 0x58, count: 16))
        try file.close()
        terminal = try ProgressCLITests.runOnTerminal(["copy", "--plain-http", remote + ":1.0", directory + "/broken:1.0"])
        #expect(terminal.status == 4, "\(terminal.output)")
        #expect(try ProgressCLITests.hasProgress(terminal.output, label: "copying"), "\(terminal.output.debugDescription)")
        #expect(terminal.output.contains(ProgressCLITests.redraw + "error: digest mismatch"), "\(terminal.output.debugDescription)")
        #expect(terminal.output.contains("hint: the source's content does not match its digest, so nothing was tagged"))
        let broken = directory + "/broken"
        let tagged = FileManager.default.fileExists(atPath: broken + "/index.json")
            ? try OCILayout(at: broken).readIndex().tags : []
        #expect(tagged.isEmpty, "a failed copy tags nothing")
    }
}
