// SPDX-License-Identifier: Apache-2.0
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Layout
import Testing

@testable import Serve

/// skopeo pushes to and pulls from the registry over a real socket (skopeo is a test dependency that
/// scripts/install-test-deps.sh installs).
@Suite("Serve: skopeo interop")
struct SkopeoInteropTests {
    /// Runs a program without blocking a concurrency thread; returns its status and combined output.
    static func run(_ arguments: [String]) async throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        let output = OutputBuffer()
        pipe.fileHandleForReading.readabilityHandler = { handle in output.append(handle.availableData) }
        let status: Int32 = await withCheckedContinuation { continuation in
            process.terminationHandler = { process in continuation.resume(returning: process.terminationStatus) }
            do { try process.run() } catch { continuation.resume(returning: -1) }
        }
        pipe.fileHandleForReading.readabilityHandler = nil
        output.append(pipe.fileHandleForReading.readDataToEndOfFile())
        return (status, output.text)
    }

    final class OutputBuffer: @unchecked Sendable {
        private let lock = NSLock()
        private var data = Data()
        func append(_ chunk: Data) { lock.withLock { data.append(chunk) } }
        var text: String { lock.withLock { String(decoding: data, as: UTF8.self) } }
    }

    @Test func skopeoCopiesALayoutToTheRegistryAndBack() async throws {
        let fixture = ServeFixture()
        defer { fixture.remove() }
        let work = fixture.root + "-work"
        defer { try? FileManager.default.removeItem(atPath: work) }
        // A source layout with a two-layer image (one layer over 1 MiB) and an artifact referring to it.
        let source = try OCILayout.create(at: work + "/source")
        var layers: [Descriptor] = []
        for size in [1_500_001, 777] {
            let blob = try source.writeBlob(randomBytes(size))
            layers.append(Descriptor(mediaType: .ociLayer, digest: blob.digest, size: blob.size))
        }
        let config = try source.writeBlob(
            Data(#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#.utf8))
        let manifest = try JSONEncoder.ocitool.encode(
            ImageManifest(
                config: Descriptor(mediaType: .ociConfig, digest: config.digest, size: config.size), layers: layers))
        let pushed = try source.putManifest(manifest, mediaType: .ociManifest, tag: "t")

        try await fixture.run(.live) { client in
            let port = try #require(client.port)
            let remote = "docker://127.0.0.1:\(port)/team/app:t"
            let push = try await SkopeoInteropTests.run(
                ["skopeo", "copy", "--preserve-digests", "--dest-tls-verify=false", "oci:\(source.path):t", remote])
            #expect(push.status == 0, "\(push.output)")
            let inspect = try await SkopeoInteropTests.run(["skopeo", "inspect", "--raw", "--tls-verify=false", remote])
            #expect(inspect.status == 0, "\(inspect.output)")
            #expect(Digest.sha256(of: Data(inspect.output.utf8)) == pushed.digest)
            let pull = try await SkopeoInteropTests.run(
                [
                    "skopeo", "copy", "--preserve-digests", "--dest-oci-accept-uncompressed-layers",
                    "--src-tls-verify=false", remote, "oci:\(work)/back:t",
                ])
            #expect(pull.status == 0, "\(pull.output)")
            // A second push of the same image only finds everything present.
            let again = try await SkopeoInteropTests.run(
                [
                    "skopeo", "copy", "--preserve-digests", "--dest-tls-verify=false", "oci:\(source.path):t",
                    "docker://127.0.0.1:\(port)/other:t",
                ])
            #expect(again.status == 0, "\(again.output)")
        }
        let back = try OCILayout(at: work + "/back")
        #expect(try back.resolve(.tag("t")).digest == pushed.digest)
        #expect(try back.check().isClean)
        let served = try fixture.store.layout(for: "team/app")
        #expect(try served.resolve(.tag("t")).digest == pushed.digest)
        #expect(try served.check().isClean)
    }
}
