// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
import Scan
import Testing

/// Hostile layers: one clear error, or a counted skip with its reason; never a hang, a crash or a huge allocation.
@Suite("Scan: catalog bad input")
struct CatalogBadInputTests {
    typealias F = ScanImageFixtures

    @Test func aLayerThatIsNotATarIsOneClearError() throws {
        let layout = try F.makeLayout()
        let garbage = Data("this is not a tar archive, just some text that goes on for a while\n".utf8)
        let image = try F.pushImage(layout, layers: [garbage], tag: "1")
        let layer: Digest? = Digest.sha256(of: garbage)
        do {
            _ = try ImageCataloger().catalog(image, in: LayoutEndpoint(layout))
            Issue.record("a non-tar layer was cataloged")
        } catch let error as ScanError {
            guard case .invalidLayer(let name, _) = error else {
                Issue.record("wrong error: \(error)")
                return
            }
            #expect(name == layer?.description)
            #expect(error.description.contains("not a readable tar archive"))
        }
    }

    @Test func aCorruptGzipLayerIsOneClearError() throws {
        let layout = try F.makeLayout()
        var layer = try F.layer([.file("var/lib/dpkg/status", F.dpkgStatus)], compression: "gzip")
        layer[layer.count - 6] ^= 0xFF  // inside the CRC-32 / length trailer
        let image = try F.pushImage(layout, layers: [layer], tag: "1")
        #expect(throws: ScanError.self) { try ImageCataloger().catalog(image, in: LayoutEndpoint(layout)) }
    }

    @Test func aBlobThatIsNotWhatItsDescriptorSaysIsRefused() throws {
        let layout = try F.makeLayout()
        let layer = try F.layer([.file("var/lib/dpkg/status", F.dpkgStatus)], compression: "none")
        let image = try F.pushImage(layout, layers: [layer], tag: "1")
        // Replace the blob file's contents behind the layout's back (same size, other bytes).
        let digest = Digest.sha256(of: layer)
        let path = "\(layout.path)/blobs/sha256/\(digest.encoded)"
        var tampered = layer
        let offset = try #require(tampered.range(of: Data("libc6".utf8))).lowerBound
        tampered.replaceSubrange(offset..<offset + 5, with: Data("libc7".utf8))
        try? FileManager.default.removeItem(atPath: path)
        try tampered.write(to: URL(fileURLWithPath: path))
        #expect(throws: LayoutError.digestMismatch(expected: digest, actual: Digest.sha256(of: tampered))) {
            try ImageCataloger().catalog(image, in: LayoutEndpoint(layout))
        }
    }

    @Test func garbageStatusLinesAreACountedSkip() throws {
        let layout = try F.makeLayout()
        let status = """
            Package: good
            Status: install ok installed
            Version: 1.0-1
            this line is garbage
            @@@@

            Package: noversion
            Status: install ok installed

            Package: good2
            Status: install ok installed
            Version: 2.0-1

            """
        let image = try F.pushImage(
            layout, layers: [try F.layer([.file("var/lib/dpkg/status", status)])], tag: "1")
        let catalog = try #require(try ImageCataloger().catalog(image, in: LayoutEndpoint(layout)).first)
        #expect(catalog.packages.map(\.name) == ["good", "good2"])
        #expect(catalog.skips.count == 2)
        #expect(catalog.skips.contains { $0.reason == "2 malformed line(s) ignored (first at line 4)" })
        #expect(catalog.skips.contains { $0.reason.contains("line 7 has no Package or Version") })
    }

    @Test func aTwoGiBStatusFileIsBoundedNotRead() throws {
        let layout = try F.makeLayout()
        let layer = try F.sparseLayer(path: "var/lib/dpkg/status", size: 2 << 30)
        #expect(layer.count < 1 << 20)
        let image = try F.pushImage(layout, layers: [layer], tag: "1")
        let clock = ContinuousClock()
        let start = clock.now
        let catalog = try #require(try ImageCataloger().catalog(image, in: LayoutEndpoint(layout)).first)
        #expect(clock.now - start < .seconds(20))
        #expect(catalog.packages.isEmpty)
        #expect(catalog.skips.count == 1)
        #expect(catalog.skips.first?.reason == "var/lib/dpkg/status is 2147483648 bytes, over the limit of 67108864 bytes")
    }

    @Test func aSymlinkLoopEndsAsASkip() throws {
        let layout = try F.makeLayout()
        let image = try F.pushImage(
            layout,
            layers: [
                try F.layer([
                    .symlink("etc/os-release", to: "/usr/lib/os-release"),
                    .symlink("usr/lib/os-release", to: "../../etc/os-release"),
                    .symlink("var/lib/dpkg", to: "dpkg"),
                    .symlink("a", to: "b"), .symlink("b", to: "a"),
                    .file("lib/apk/db/installed", "P:x\nV:1-r0\n"),
                ])
            ], tag: "1")
        let catalog = try #require(try ImageCataloger().catalog(image, in: LayoutEndpoint(layout)).first)
        #expect(catalog.distro == nil)
        #expect(catalog.packages.map(\.name) == ["x"])
        #expect(catalog.skips.contains { $0.path == "etc/os-release" && $0.reason == "symlink loop" })
    }

    @Test func anUnreadableRPMDatabaseIsASkip() throws {
        let layout = try F.makeLayout()
        let image = try F.pushImage(
            layout, layers: [try F.layer([.data("var/lib/rpm/rpmdb.sqlite", Data(repeating: 7, count: 8192))])], tag: "1")
        let catalog = try #require(try ImageCataloger().catalog(image, in: LayoutEndpoint(layout)).first)
        #expect(catalog.packages.isEmpty)
        #expect(catalog.skips.count == 1)
        #expect(catalog.skips.first?.path == "var/lib/rpm/rpmdb.sqlite")
    }
}
