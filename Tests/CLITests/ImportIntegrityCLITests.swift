// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing

/// What a user sees when an archive's content contradicts it: one error line naming the member and both
/// digests, exit 4, and nothing imported (not even the directories made for the new layout); `copy` from the
/// archive refuses it the same way.
@Suite("CLI: corrupted archives")
struct ImportIntegrityCLITests {
    @Test func aFlippedBitInALayerIsRefusedByImportAndCopy() throws {
        let directory = CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let archive = directory + "/app.tar"
        try CLIRunner.makeDockerArchive(at: archive, tags: ["app:v1"], layers: 1)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: archive))
        // The first member is layer0-0/layer.tar: its own tar header, then the random file from byte 1024.
        bytes[1024 + 100] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: archive))
        for arguments in [["import", archive, directory + "/new/sub/imported"], ["copy", "docker-archive:" + archive, directory + "/copied:v1"]] {
            let result = try CLIRunner.run(arguments)
            #expect(result.status == 4, "\(arguments): \(result.stderr)")
            let errors = result.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") }
            #expect(errors.count == 1, "\(result.stderr)")
            #expect(errors.first?.contains("layer0-0/layer.tar") == true, "\(result.stderr)")
            #expect(errors.first?.contains("rootfs.diff_ids[0]") == true, "\(result.stderr)")
        }
        // Nothing is left, not even the directories the import made for its layout.
        #expect(!FileManager.default.fileExists(atPath: directory + "/new"))
        #expect(!FileManager.default.fileExists(atPath: directory + "/copied/blobs"))
    }
}
