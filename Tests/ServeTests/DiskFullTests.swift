// SPDX-License-Identifier: Apache-2.0
import Foundation
import TestSupport
import Glibc
import Layout
import Testing

@testable import Serve

/// A live server whose store is a 4 MiB tmpfs: pushes that do not fit fail with a clear 5xx and the OCI error
/// body, leave nothing behind, and the server serves on; once space is freed, pushes work again.
@Suite("Serve: a full disk")
struct DiskFullTests {
    @Test(
        .enabled(
            if: TmpfsMount.isPermitted,
            "skipped: mounting a tmpfs (mount -t tmpfs -o size=4m) is not permitted here; it needs root with CAP_SYS_ADMIN"
        ))
    func pushesThatDoNotFitFailCleanlyAndTheServerRecovers() async throws {
        let fixture = ServeFixture()
        defer { fixture.removeAll() }
        let mount = try TmpfsMount(at: fixture.root, size: 4 << 20)
        defer { mount.unmount() }
        try await fixture.serve { port, _ in
            // An image that is there before the disk fills up.
            let seed = try await Self.pushImage(port: port, tag: "before")
            let big = randomBytes(6 << 20)
            let bigDigest = Digest.sha256(of: big)

            // A single POST bigger than the disk.
            let post = try await RawHTTPConnection.request(
                port: port, "POST", "/v2/app/blobs/uploads/?digest=\(bigDigest)", body: big)
            Self.expectStorageFull(post, "single POST")
            try await FaultChecks.expectNoSessions(fixture)

            // A session PUT bigger than the disk.
            let location = try await FaultChecks.startUpload(port: port)
            let put = try await RawHTTPConnection.request(port: port, "PUT", location + "?digest=\(bigDigest)", body: big)
            Self.expectStorageFull(put, "session PUT")
            try await FaultChecks.expectNoSessions(fixture)

            // Chunks, until one does not fit: the session cannot go on (its data is incomplete), so it is gone.
            let chunked = try await FaultChecks.startUpload(port: port)
            var failed: RawHTTPConnection.Response?
            for start in stride(from: 0, to: big.count, by: 1 << 20) {
                let chunk = big[start..<min(start + (1 << 20), big.count)]
                let response = try await RawHTTPConnection.request(
                    port: port, "PATCH", chunked,
                    headers: [("Content-Range", "\(start)-\(start + chunk.count - 1)")], body: Data(chunk))
                if response.status != 202 {
                    failed = response
                    break
                }
            }
            let refused = try #require(failed, "6 MiB of chunks cannot all fit on a 4 MiB disk")
            Self.expectStorageFull(refused, "PATCH")
            let status = try await RawHTTPConnection.request(port: port, "GET", chunked)
            #expect(status.status == 404, "a session that lost a chunk to a full disk must not resume")
            try await FaultChecks.expectNoSessions(fixture)
            try await FaultChecks.expectNoBlob(bigDigest, port: port, fixture: fixture)

            // The server still serves what it had.
            let manifest = try await RawHTTPConnection.request(port: port, "GET", "/v2/app/manifests/before")
            #expect(manifest.status == 200 && manifest.body == seed)

            // A disk filled by something else: a blob and a manifest push fail, index.json stays as it was.
            let filler = fixture.root + "/filler"
            TmpfsMount.fill(filler)
            let small = randomBytes(300_000)
            let smallDigest = Digest.sha256(of: small)
            let blocked = try await RawHTTPConnection.request(
                port: port, "POST", "/v2/app/blobs/uploads/?digest=\(smallDigest)", body: small)
            Self.expectStorageFull(blocked, "blob push on a full disk")
            let index = try Data(contentsOf: URL(fileURLWithPath: fixture.root + "/app/index.json"))
            let retag = try await RawHTTPConnection.request(
                port: port, "PUT", "/v2/app/manifests/after",
                headers: [("Content-Type", MediaType.ociManifest.rawValue)], body: seed)
            Self.expectStorageFull(retag, "manifest push on a full disk")
            #expect(try Data(contentsOf: URL(fileURLWithPath: fixture.root + "/app/index.json")) == index)
            try await FaultChecks.expectNoSessions(fixture)

            // Space freed: the same pushes work.
            try FileManager.default.removeItem(atPath: filler)
            let retry = try await RawHTTPConnection.request(
                port: port, "POST", "/v2/app/blobs/uploads/?digest=\(smallDigest)", body: small)
            #expect(retry.status == 201, "push after freeing space: \(retry.status) \(retry.errorCode ?? "")")
            let retagAgain = try await RawHTTPConnection.request(
                port: port, "PUT", "/v2/app/manifests/after",
                headers: [("Content-Type", MediaType.ociManifest.rawValue)], body: seed)
            #expect(retagAgain.status == 201)
            let pulled = try await RawHTTPConnection.request(port: port, "GET", "/v2/app/blobs/\(smallDigest)")
            #expect(pulled.status == 200 && pulled.body == small)
        }
        try FaultChecks.expectFsckClean(fixture)
        let layout = try fixture.store.layout(for: "app")
        #expect(try layout.resolve(.tag("before")).digest == layout.resolve(.tag("after")).digest)
    }

    /// A 5xx with the OCI error envelope that says the storage is full.
    static func expectStorageFull(_ response: RawHTTPConnection.Response, _ what: String) {
        let text = String(decoding: response.body, as: UTF8.self)
        #expect((500..<600).contains(response.status), "\(what): \(response.status) \(text)")
        #expect(response.headers["content-type"] == "application/json", "\(what): \(response.headers)")
        #expect(response.errorCode != nil, "\(what): OCI error body expected, got \(text)")
        #expect(text.contains("space"), "\(what): the message should say the storage is full: \(text)")
    }

    /// Pushes a one-layer image tagged `tag` to `app`; returns the manifest bytes.
    static func pushImage(port: Int, tag: String) async throws -> Data {
        let layer = randomBytes(50_000)
        let config = Data(#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#.utf8)
        for blob in [layer, config] {
            let response = try await RawHTTPConnection.request(
                port: port, "POST", "/v2/app/blobs/uploads/?digest=\(Digest.sha256(of: blob))", body: blob)
            try #require(response.status == 201)
        }
        let manifest = try JSONEncoder.ocitool.encode(
            ImageManifest(
                config: Descriptor(mediaType: .ociConfig, digest: .sha256(of: config), size: Int64(config.count)),
                layers: [Descriptor(mediaType: .ociLayer, digest: .sha256(of: layer), size: Int64(layer.count))]))
        let response = try await RawHTTPConnection.request(
            port: port, "PUT", "/v2/app/manifests/\(tag)", headers: [("Content-Type", MediaType.ociManifest.rawValue)],
            body: manifest)
        try #require(response.status == 201)
        return manifest
    }
}

/// A tmpfs mounted over a directory (mount(2), as `mount -t tmpfs -o size=N tmpfs DIR`).
struct TmpfsMount {
    let path: String

    init(at path: String, size: Int) throws {
        guard Glibc.mount("tmpfs", path, "tmpfs", 0, "size=\(size)") == 0 else {
            throw LayoutError.io("mount a tmpfs on", path: path, errno: errno)
        }
        self.path = path
    }

    func unmount() { umount2(path, Int32(MNT_DETACH)) }

    /// Whether this process may mount a tmpfs (tried once, on a scratch directory).
    static let isPermitted: Bool = {
        let probe = TestScratch.directory("ocitool-tmpfs")
            .path
        guard (try? FileManager.default.createDirectory(atPath: probe, withIntermediateDirectories: true)) != nil else {
            return false
        }
        defer { rmdir(probe) }
        guard let mount = try? TmpfsMount(at: probe, size: 1 << 20) else { return false }
        mount.unmount()
        return true
    }()

    /// Writes `path` until the filesystem is full.
    static func fill(_ path: String) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        let chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var size = chunk.count
        while size > 0 {
            let written = chunk.withUnsafeBytes { write(descriptor, $0.baseAddress, size) }
            if written < 0 {
                guard errno == EINTR else {
                    if size == 1 { return }
                    size /= 2  // fill the last, partial pages too
                    continue
                }
            }
        }
    }
}
