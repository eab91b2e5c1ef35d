// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
import TestSupport
import Testing

/// `ocitool sbom` as a user runs it: formats, determinism, the per-layer cache, --attach, multi-arch, bad layers.
@Suite("CLI: sbom")
struct SBOMCLITests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("interop/scan_fixture.py").path

    /// A gzip layer made by Python's tarfile from (path, contents) pairs.
    static func layer(_ files: [(String, String)]) throws -> Data {
        let entries = files.map { ["path": $0.0, "text": $0.1] }
        let spec = try JSONSerialization.data(withJSONObject: ["compression": "gzip", "entries": entries])
        let directory = TestScratch.directory("sbom-cli")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try spec.write(to: directory.appendingPathComponent("spec.json"))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [script, "tar", directory.appendingPathComponent("layer").path]
        process.standardInput = try FileHandle(forReadingFrom: directory.appendingPathComponent("spec.json"))
        try process.run()
        process.waitUntilExit()
        return try Data(contentsOf: directory.appendingPathComponent("layer"))
    }

    static let osRelease = (
        "etc/os-release", "ID=debian\nVERSION_ID=\"12\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n"
    )
    static let status = (
        "var/lib/dpkg/status",
        "Package: libc6\nStatus: install ok installed\nArchitecture: amd64\nSource: glibc\nVersion: 2.36-9+deb12u4\n\n"
            + "Package: zlib1g\nStatus: install ok installed\nArchitecture: amd64\nSource: zlib\nVersion: 1:1.2.13.dfsg-1\n"
    )

    /// Writes an image of `layers` into `layout` (not listed), returning its descriptor with `platform`.
    static func image(_ layout: OCILayout, layers: [Data], platform: Platform) throws -> Descriptor {
        var descriptors: [Descriptor] = []
        for layer in layers {
            let blob = try layout.writeBlob(layer)
            descriptors.append(Descriptor(mediaType: .ociLayerGzip, digest: blob.digest, size: blob.size))
        }
        let config = ImageConfig(
            architecture: platform.architecture, os: platform.os, created: "2024-01-01T00:00:00Z",
            rootfs: ImageConfig.RootFS(diffIDs: descriptors.map(\.digest)))
        let configBlob = try layout.writeBlob(try JSONEncoder.ocitool.encode(config))
        let manifest = try layout.writeBlob(
            try JSONEncoder.ocitool.encode(
                ImageManifest(
                    config: Descriptor(mediaType: .ociConfig, digest: configBlob.digest, size: configBlob.size),
                    layers: descriptors)))
        return Descriptor(mediaType: .ociManifest, digest: manifest.digest, size: manifest.size, platform: platform)
    }

    static func makeLayout() throws -> OCILayout {
        let directory = TestScratch.directory("sbom-cli")
        return try OCILayout.create(at: directory.appendingPathComponent("layout").path)
    }

    static func debianImage() throws -> OCILayout {
        let layout = try makeLayout()
        let image = try image(
            layout, layers: [try layer([osRelease, status])], platform: Platform(architecture: "amd64", os: "linux"))
        _ = try layout.putManifest(try layout.readBlob(image.digest), mediaType: .ociManifest, tag: "1")
        return layout
    }

    @Test func spdxIsDeterministicAndTheRescanUsesTheCache() throws {
        let layout = try Self.debianImage()
        let environment = ["SOURCE_DATE_EPOCH": "1700000000"]
        let first = try CLIRunner.run(["sbom", "--format", "spdx-json", layout.path + ":1"], environment: environment)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("\"created\" : \"2023-11-14T22:13:20Z\""))
        #expect(
            first.stdout.contains("pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64&distro=debian-12&upstream=zlib"))
        let cached = try FileManager.default.subpathsOfDirectory(atPath: layout.path + "/.ocitool/catalog")
        #expect(cached.filter { $0.hasSuffix(".catalog") }.count == 1)
        let second = try CLIRunner.run(["sbom", "--format", "spdx-json", layout.path + ":1"], environment: environment)
        #expect(second.stdout == first.stdout)
        let uncached = try CLIRunner.run(
            ["sbom", "--no-cache", "--format", "spdx-json", layout.path + ":1"], environment: environment)
        #expect(uncached.stdout == first.stdout)
    }

    @Test func tableAndJSON() throws {
        let layout = try Self.debianImage()
        let table = try CLIRunner.run(["sbom", layout.path + ":1"])
        #expect(table.status == 0)
        #expect(table.stdout.contains("\nlibc6   2.36-9+deb12u4   deb   glibc   /var/lib/dpkg/status\n"))
        #expect(table.stdout.hasSuffix("2 packages on Debian GNU/Linux 12 (bookworm)\n"))
        let json = try CLIRunner.run(["sbom", "--format", "json", layout.path + ":1"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect((object["packages"] as? [[String: Any]])?.count == 2)
    }

    @Test func attachStoresAReferrerTrivyFinds() throws {
        let layout = try Self.debianImage()
        let attached = try CLIRunner.run(["sbom", "--format", "cyclonedx-json", "--attach", layout.path + ":1"])
        #expect(attached.status == 0, "\(attached.stderr)")
        #expect(attached.stderr.contains("attached sha256:"))
        let discover = try CLIRunner.run(["discover", "--format", "json", layout.path + ":1"])
        #expect(discover.stdout.contains("application/vnd.cyclonedx+json"))
        let again = try CLIRunner.run(
            ["sbom", "--format", "cyclonedx-json", "--attach", layout.path + ":1"],
            environment: ["SOURCE_DATE_EPOCH": "1"])
        #expect(again.status == 0)
        // The SBOM artifact itself has no filesystem: one clear error, not "not a tar".
        let artifact = try #require(attached.stderr.split(separator: " ").dropFirst().first)
        let refused = try CLIRunner.run(["sbom", layout.path + "@" + artifact])
        #expect(refused.status == 1)
        #expect(
            refused.stderr.hasPrefix(
                "error: \(artifact) is not a container image (its config is application/vnd.oci.empty.v1+json)"))
    }

    @Test func multiArchNeedsAPlatformOrOneFilePerPlatform() throws {
        let layout = try Self.makeLayout()
        let amd = try Self.image(
            layout, layers: [try Self.layer([Self.osRelease, Self.status])],
            platform: Platform(architecture: "amd64", os: "linux"))
        let arm = try Self.image(
            layout, layers: [try Self.layer([Self.osRelease])], platform: Platform(architecture: "arm64", os: "linux"))
        _ = try layout.putManifest(
            try JSONEncoder.ocitool.encode(ImageIndex(manifests: [amd, arm])), mediaType: .ociIndex, tag: "multi")
        let refused = try CLIRunner.run(["sbom", "--format", "spdx-json", layout.path + ":multi"])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("pick one with --platform"))
        let output = (layout.path as NSString).deletingLastPathComponent + "/sbom.json"
        let written = try CLIRunner.run(["sbom", "--format", "spdx-json", "--output", output, layout.path + ":multi"])
        #expect(written.status == 0, "\(written.stderr)")
        let directory = (layout.path as NSString).deletingLastPathComponent
        #expect(FileManager.default.fileExists(atPath: directory + "/sbom.linux-amd64.json"))
        #expect(FileManager.default.fileExists(atPath: directory + "/sbom.linux-arm64.json"))
        let one = try CLIRunner.run(["sbom", "--platform", "linux/arm64", "--format", "json", layout.path + ":multi"])
        #expect(one.status == 0 && one.stdout.contains(arm.digest.description))
        let none = try CLIRunner.run(["sbom", "--platform", "linux/s390x", layout.path + ":multi"])
        #expect(none.status == 3)
        #expect(
            none.stderr.hasPrefix("error: the index has no image for linux/s390x (platforms: linux/amd64, linux/arm64)")
        )
    }

    @Test func aLayerThatIsNotATarIsOneErrorLine() throws {
        let layout = try Self.makeLayout()
        let image = try Self.image(
            layout, layers: [Data("not a tar at all, sorry\n".utf8)],
            platform: Platform(architecture: "amd64", os: "linux"))
        _ = try layout.putManifest(try layout.readBlob(image.digest), mediaType: .ociManifest, tag: "bad")
        let output = (layout.path as NSString).deletingLastPathComponent + "/bad.json"
        let result = try CLIRunner.run(["sbom", "--format", "spdx-json", "--output", output, layout.path + ":bad"])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("error: layer sha256:"))
        #expect(result.stderr.contains("is not a readable tar archive"))
        #expect(result.stdout.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: output))
    }

    @Test func helpFitsEightyColumns() throws {
        let help = try CLIRunner.run(["sbom", "--help"], environment: ["COLUMNS": "80"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("Examples:"))
        // ArgumentParser prints the USAGE synopsis on one line whatever the width; the rest flows.
        for line in help.stdout.split(separator: "\n") where !line.hasPrefix("USAGE:") {
            #expect(line.count <= 80, "\(line)")
        }
    }
}
