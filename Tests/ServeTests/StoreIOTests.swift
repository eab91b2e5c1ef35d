// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing

@testable import Layout
@testable import Serve

/// Blocking store work runs on the server's store I/O threads, never on the cooperative pool that every request
/// needs: a repository whose lock another process (online GC, the CLI) holds delays only the writes to it.
@Suite("Serve: store I/O off the cooperative pool")
struct StoreIOTests {
    @Test func aLockedRepositoryHoldsUpOnlyItsOwnWrites() async throws {
        let fixture = ServeFixture()
        defer { fixture.removeAll() }
        let work = fixture.root + "-work"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        // "other": a tagged image; "busy": the blobs of manifests that will be pushed while it is locked.
        let other = try StoreIOTests.seed(fixture.store.layout(for: "other", create: true))
        _ = try other.layout.putManifest(other.manifest(0), tag: "latest")
        let busy = try StoreIOTests.seed(fixture.store.layout(for: "busy", create: true))
        // More pushes than the cooperative pool has threads (one per core), and than the store has threads.
        let pushes = max(StoreIO.defaultThreads + 8, 2 * ProcessInfo.processInfo.activeProcessorCount)
        for index in 0..<pushes { try busy.manifest(index).write(to: URL(fileURLWithPath: "\(work)/m\(index)")) }
        try other.manifest(1).write(to: URL(fileURLWithPath: "\(work)/other"))

        // The test's own waits must not depend on the server: a plain thread holds the lock, and lets go by
        // itself after a deadline should the server (and with it this test's tasks) be stuck.
        let holder = LockHolder()
        // (The deadline is far: the whole suite runs in one process, and on a loaded 2-core machine the probes
        // below have taken over 30 s; the lock is released as soon as they are done.)
        holder.hold(busy.layout, atMost: 150)
        #expect(holder.waitUntilHeld(seconds: 10))
        let (probes, pushed, otherPush, heldThroughProbes, finishedWhileHeld) = try await fixture.serve {
            port, _ in
            let base = "http://127.0.0.1:\(port)"
            let finished = Counter()
            let type = Layout.MediaType.ociManifest.rawValue
            return try await withThrowingTaskGroup(of: String.self) { tasks in
                for index in 0..<pushes {
                    tasks.addTask {
                        let result = try await runTool([
                            "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "240", "-X", "PUT",
                            "-H", "Content-Type: \(type)", "--data-binary", "@\(work)/m\(index)",
                            "\(base)/v2/busy/manifests/t\(index)",
                        ])
                        finished.increment()
                        return result.output
                    }
                }
                // Give the pushes time to reach the lock.
                try await Task.sleep(for: .seconds(1))
                // While they wait, the rest of the registry answers (curl gives up after 10 s).
                var probes: [String: String] = [:]
                for (name, arguments) in [
                    ("healthz", ["\(base)/healthz"]), ("ping", ["\(base)/v2/"]),
                    ("pull other", ["-H", "Accept: \(type)", "\(base)/v2/other/manifests/latest"]),
                    ("catalog", ["\(base)/v2/_catalog"]),
                ] {
                    let result = try await runTool(
                        ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "10"] + arguments)
                    probes[name] = result.output
                }
                // A write to another repository needs a store thread too: the pushes waiting for one repository's
                // lock hold a few of them at most (the rest wait without a thread).
                let otherPush = try await runTool([
                    "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "10", "-X", "PUT",
                    "-H", "Content-Type: \(type)", "--data-binary", "@\(work)/other", "\(base)/v2/other/manifests/two",
                ]).output
                let held = holder.isHeld
                let finishedWhileHeld = finished.value
                holder.release()
                var pushed: [String] = []
                for try await status in tasks { pushed.append(status) }
                return (probes, pushed, otherPush, held, finishedWhileHeld)
            }
        }
        #expect(
            probes == ["healthz": "200", "ping": "200", "pull other": "200", "catalog": "200"],
            "every probe must be answered while the lock is held")
        #expect(otherPush == "201")
        #expect(heldThroughProbes, "the probes were answered before the lock holder gave up")
        #expect(finishedWhileHeld == 0, "the pushes to the locked repository waited for its lock")
        #expect(pushed == Array(repeating: "201", count: pushes), "once the lock is free, every push lands")
        let index = try busy.layout.readIndex()
        #expect(Set(index.tags) == Set((0..<pushes).map { "t\($0)" }))
    }

    /// A layout with a config and a layer, and distinct manifests over them.
    private static func seed(_ layout: OCILayout) throws -> SeededLayout {
        let config = try layout.writeBlob(
            Data(#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#.utf8))
        let layer = try layout.writeBlob(randomBytes(2000))
        return SeededLayout(
            layout: layout, config: Descriptor(mediaType: .ociConfig, digest: config.digest, size: config.size),
            layer: Descriptor(mediaType: .ociLayer, digest: layer.digest, size: layer.size))
    }

    private struct SeededLayout {
        let layout: OCILayout
        let config: Descriptor
        let layer: Descriptor

        /// Manifest number `index` (each differs by an annotation).
        func manifest(_ index: Int) throws -> Data {
            try JSONEncoder.ocitool.encode(
                ImageManifest(config: config, layers: [layer], annotations: ["index": "\(index)"]))
        }
    }
}

/// Holds a layout's exclusive lock on a thread of its own, as another process (GC, the CLI) would.
final class LockHolder: @unchecked Sendable {
    private let condition = NSCondition()
    private var held = false
    private var releaseRequested = false

    /// Takes the lock on a new thread and keeps it until `release()` or for `seconds` at most.
    func hold(_ layout: OCILayout, atMost seconds: Double) {
        Thread {
            let lock = try? layout.lockExclusive()
            self.condition.withLock {
                self.held = lock != nil
                self.condition.broadcast()
                let deadline = Date().addingTimeInterval(seconds)
                while !self.releaseRequested, self.condition.wait(until: deadline) {}
                // Not held any more from here on (the lock goes just below).
                self.held = false
            }
            withExtendedLifetime(lock) {}
        }.start()
    }

    /// Waits (blocking) until the lock is held.
    func waitUntilHeld(seconds: Double) -> Bool {
        condition.withLock {
            let deadline = Date().addingTimeInterval(seconds)
            while !held, condition.wait(until: deadline) {}
            return held
        }
    }

    var isHeld: Bool { condition.withLock { held } }

    /// Lets go of the lock.
    func release() {
        condition.withLock {
            releaseRequested = true
            condition.broadcast()
        }
    }
}

/// A count shared by tasks.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    var value: Int { lock.withLock { count } }
    func increment() { lock.withLock { count += 1 } }
}
