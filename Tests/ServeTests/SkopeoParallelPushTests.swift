// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
import Testing

@testable import Serve

/// Two skopeo processes push the same image at the same moment, to one repository and tag, and to two
/// repositories that share every blob: both succeed, and what is served (and pulled back) is the image pushed.
@Suite("Serve: skopeo pushing in parallel")
struct SkopeoParallelPushTests {
    @Test func twoSkopeoPushesOfOneImageAtOnce() async throws {
        let fixture = ServeFixture()
        defer { fixture.removeAll() }
        let work = fixture.root + "-work"
        let source = try OCILayout.create(at: work + "/source")
        var layers: [Descriptor] = []
        for size in [3_000_001, 1_200_000, 777] {
            let blob = try source.writeBlob(randomBytes(size))
            layers.append(Descriptor(mediaType: .ociLayer, digest: blob.digest, size: blob.size))
        }
        let config = try source.writeBlob(ParallelPushTests.config)
        let manifest = try JSONEncoder.ocitool.encode(
            ImageManifest(
                config: Descriptor(mediaType: .ociConfig, digest: config.digest, size: config.size), layers: layers))
        let pushed = try source.putManifest(manifest, mediaType: .ociManifest, tag: "t")
        let layerDigests = layers.map(\.digest)
        let rounds = 3
        try await fixture.serve { port, _ in
            let registry = "docker://127.0.0.1:\(port)"
            func copy(_ destination: String) async throws -> (status: Int32, output: String) {
                try await runTool([
                    "skopeo", "copy", "--retry-times", "0", "--preserve-digests", "--dest-tls-verify=false",
                    "oci:\(source.path):t", "\(registry)/\(destination)",
                ])
            }
            for round in 0..<rounds {
                // The same repository and tag.
                async let first = copy("same/app\(round):t")
                async let second = copy("same/app\(round):t")
                // Two repositories sharing every blob.
                async let third = copy("shared/one\(round):t")
                async let fourth = copy("shared/two\(round):t")
                for (name, result) in try await [("same 1", first), ("same 2", second), ("one", third), ("two", fourth)] {
                    #expect(result.status == 0, "round \(round), skopeo copy (\(name)): \(result.output)")
                }
                for repository in ["same/app\(round)", "shared/one\(round)", "shared/two\(round)"] {
                    let inspect = try await runTool([
                        "skopeo", "inspect", "--raw", "--tls-verify=false", "\(registry)/\(repository):t",
                    ])
                    #expect(inspect.status == 0, "\(inspect.output)")
                    #expect(Digest.sha256(of: Data(inspect.output.utf8)) == pushed.digest, "\(repository):t")
                }
            }
            // Pulled back, the image is the one pushed, layer for layer.
            for repository in ["same/app0", "shared/two0"] {
                let back = work + "/back-" + repository.replacingOccurrences(of: "/", with: "-")
                let pull = try await runTool([
                    "skopeo", "copy", "--preserve-digests", "--dest-oci-accept-uncompressed-layers",
                    "--src-tls-verify=false", "\(registry)/\(repository):t", "oci:\(back):t",
                ])
                #expect(pull.status == 0, "\(pull.output)")
                let layout = try OCILayout(at: back)
                #expect(try layout.resolve(.tag("t")).digest == pushed.digest)
                for digest in layerDigests { #expect(try layout.readBlob(digest) == source.readBlob(digest)) }
                #expect(try layout.check().isClean)
            }
        }
        for round in 0..<rounds {
            for repository in ["same/app\(round)", "shared/one\(round)", "shared/two\(round)"] {
                let served = try fixture.store.layout(for: repository)
                #expect(try served.resolve(.tag("t")).digest == pushed.digest)
                #expect(try served.readIndex().manifests.count == 1, "\(repository): one image, listed once")
            }
        }
        try FaultChecks.expectFsckClean(fixture)
    }
}
