// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing

/// Output as people and scripts read it: counts in words, JSON without Foundation's quirks.
@Suite struct OutputCLITests {
    @Test func countsAreSingularForOneAndEmptyJSONListsAreCompact() throws {
        let directory = CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try CLIRunner.makeDockerArchive(at: directory + "/image.tar", tags: ["app:1.0"], layers: 1)
        var result = try CLIRunner.run(["import", directory + "/image.tar", directory + "/app"])
        #expect(result.status == 0 && result.stdout.contains("imported 1 image from"), "\(result.stdout)")

        result = try CLIRunner.run(["gc", "--format", "json", directory + "/app"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("\"removedBlobs\" : [],"), "\(result.stdout)")
        #expect(!result.stdout.contains("[\n"), "an empty list spread over lines")
    }
}
