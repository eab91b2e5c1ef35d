// SPDX-License-Identifier: Apache-2.0
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Layout
import Logging
import ServiceLifecycle
import Testing

@testable import Serve

/// Graceful shutdown with a transfer in flight, and online garbage collection racing pushes.
@Suite("Serve: lifecycle")
struct LifecycleTests {
    @Test func gracefulShutdownLetsAnInFlightUploadFinish() async throws {
        let fixture = ServeFixture()
        defer { fixture.removeAll() }
        let work = fixture.root + "-work"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let blob = randomBytes(2_400_000)
        let digest = Digest.sha256(of: blob)
        try blob.write(to: URL(fileURLWithPath: work + "/blob"))
        let (status, refused, inFlight) = try await fixture.serve { port, group in
            let base = "http://127.0.0.1:\(port)"
            // A slow upload: 2.4 MB at 120 KB/s, so about twenty seconds on the wire (room for a loaded machine).
            async let upload = runTool([
                "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--limit-rate", "120K", "-X", "POST",
                "-H", "Content-Type: application/octet-stream", "--data-binary", "@\(work)/blob",
                "\(base)/v2/app/blobs/uploads/?digest=\(digest)",
            ])
            // Once the upload is under way, shut down.
            let uploads = fixture.root + "/.ocitool/uploads"
            let deadline = ContinuousClock.now + .seconds(10)
            while FileSystem.list(uploads).isEmpty, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            try await Task.sleep(for: .milliseconds(300))
            await group.triggerGracefulShutdown()
            // New connections are refused (the listener closes), while the upload is still in flight.
            var late = try await runTool(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "\(base)/healthz"])
            let retryUntil = ContinuousClock.now + .seconds(6)  // a hang guard for a loaded machine; the upload takes ~20 s
            while late.status == 0, ContinuousClock.now < retryUntil {
                try await Task.sleep(for: .milliseconds(100))
                late = try await runTool(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "\(base)/healthz"])
            }
            let inFlight = (try? fixture.store.layout(for: "app").blobSize(digest)) == nil
            return (try await upload.output, late, inFlight)
        }
        #expect(status == "201", "the upload in flight must finish with 201")
        #expect(refused.status != 0, "a new connection after shutdown began must be refused: \(refused.output)")
        #expect(inFlight, "the upload was still in flight when new connections were refused")
        let layout = try fixture.store.layout(for: "app")
        #expect(try layout.readBlob(digest) == blob)
    }

    @Test func onlineGCRacingPushesNeverLosesData() async throws {
        let fixture = ServeFixture()
        defer { fixture.removeAll() }
        // Garbage that the collector must remove while the pushes run: an unreferenced blob, old enough.
        let seed = try fixture.store.layout(for: "app", create: true)
        let garbage = try seed.writeBlob(randomBytes(5000))
        let old = Date().addingTimeInterval(-7200)
        try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: seed.blobPath(garbage.digest))
        let collector = OnlineGarbageCollector(
            store: fixture.store,
            options: ServeConfiguration.OnlineGC(interval: .seconds(3600), grace: .seconds(3600), untagged: true),
            metrics: nil, logger: Logger(label: "gc"))
        let stop = ManagedAtomicFlag()
        try await fixture.run { client in
            try await withThrowingTaskGroup(of: Int.self) { tasks in
                // GC in a loop, as fast as it goes.
                tasks.addTask {
                    var runs = 0
                    while !stop.isSet {
                        await collector.collect()
                        runs += 1
                    }
                    return runs
                }
                // Pushes: tagged images and digest-only (untagged) ones, into two repositories.
                tasks.addTask {
                    var pushed: [(String, PushedImage)] = []
                    for index in 0..<24 {
                        let repository = index % 2 == 0 ? "app" : "team/web"
                        let image = try await client.pushImage(
                            to: repository, tag: index % 3 == 0 ? nil : "t\(index)", layers: 2)
                        pushed.append((repository, image))
                    }
                    stop.set()
                    // Every image pushed is complete: manifest and every blob answer with their bytes.
                    for (repository, image) in pushed {
                        let manifest = try await client.execute(
                            uri: "/v2/\(repository)/manifests/\(image.digest)", method: .get)
                        #expect(manifest.status == .ok)
                        #expect(manifest.body.data == image.manifest)
                        for blob in image.layers + [image.config] {
                            let response = try await client.execute(
                                uri: "/v2/\(repository)/blobs/\(Digest.sha256(of: blob))", method: .get)
                            #expect(response.status == .ok)
                            #expect(response.body.data == blob)
                        }
                    }
                    return pushed.count
                }
                var results: [Int] = []
                for try await result in tasks { results.append(result) }
                #expect(results.allSatisfy { $0 > 0 }, "GC ran and pushes happened: \(results)")
            }
        }
        #expect(seed.blobSize(garbage.digest) == nil, "the old unreferenced blob was collected")
        for name in ["app", "team/web"] {
            #expect(try fixture.store.layout(for: name).check().isClean)
        }
    }
}

/// A flag set once, read from several tasks.
final class ManagedAtomicFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}
