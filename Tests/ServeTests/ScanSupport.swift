// SPDX-License-Identifier: Apache-2.0
import Foundation
import Glibc
import HTTPTypes
import HummingbirdTesting
import Layout
import NIOConcurrencyHelpers
import Scan
import TestSupport
import Testing

@testable import Serve

/// Databases, Debian images and a webhook receiver for the scan tests.
enum ScanServeFixtures {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// glibc CVE-2023-4911 (Looney Tunables) for Debian 12, rated HIGH by its CVSS v3.1 vector (7.8).
    static let glibcRecord = """
        {"id": "DSA-5514-1", "modified": "2023-10-03T00:00:00Z", "upstream": ["CVE-2023-4911"],
         "summary": "glibc security update",
         "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H"}],
         "affected": [{"package": {"ecosystem": "Debian:12", "name": "glibc"},
           "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.36-9+deb12u3"}]}]}]}
        """

    /// An OpenSSL advisory for Debian 12, rated CRITICAL (9.8): imported later, to change the database.
    static let opensslRecord = """
        {"id": "DSA-5532-1", "modified": "2023-10-24T00:00:00Z", "upstream": ["CVE-2023-5363"],
         "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
         "affected": [{"package": {"ecosystem": "Debian:12", "name": "openssl"},
           "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "3.0.11-1~deb12u2"}]}]}]}
        """

    /// A database holding `records` (name → JSON), imported from a directory under `root`.
    @discardableResult
    static func importRecords(_ records: [String: String], root: String) throws -> String {
        let directory = root + "/osv-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for (name, text) in records {
            try Data(text.utf8).write(to: URL(fileURLWithPath: directory + "/" + name))
        }
        let path = root + "/vuln.db"
        let database = try VulnerabilityDatabase.openForImport(at: path)
        _ = try database.import([directory])
        return path
    }

    /// A gzip layer made by Python's tarfile (Tests/interop/scan_fixture.py): Debian 12's os-release and a dpkg
    /// status with libc6 2.36-9+deb12u1 (source glibc) and libssl3 (source openssl 3.0.11-1~deb12u1).
    static func debianLayer() throws -> Data {
        let status = """
            Package: libc6
            Status: install ok installed
            Architecture: amd64
            Source: glibc
            Version: 2.36-9+deb12u1

            Package: libssl3
            Status: install ok installed
            Architecture: amd64
            Source: openssl (3.0.11-1~deb12u1)
            Version: 3.0.11-1~deb12u1

            """
        let osRelease = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nID=debian\n"
        let spec: [String: Any] = [
            "compression": "gzip",
            "entries": [
                ["path": "etc/os-release", "text": osRelease], ["path": "var/lib/dpkg/status", "text": status],
            ],
        ]
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("G-layer-\(UUID().uuidString).tar.gz").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [repositoryRoot + "/Tests/interop/scan_fixture.py", "tar", out]
        let input = Pipe()
        process.standardInput = input
        try process.run()
        input.fileHandleForWriting.write(try JSONSerialization.data(withJSONObject: spec))
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        guard process.terminationStatus == 0, let data = FileManager.default.contents(atPath: out) else {
            throw POSIXError(.EIO)
        }
        return data
    }
}

extension ScanServeFixtures {
    /// Writes a Debian image (one layer from `debianLayer`, a config naming `repository:tag`, so each image has a
    /// digest of its own) straight into the store, tagged `tag`: for tests without a server.
    static func storeDebianImage(in store: Store, repository: String, tag: String) throws -> (digest: Digest, bytes: Data) {
        let layout = try store.layout(for: repository, create: true)
        let layer = try layout.writeBlob(try debianLayer())
        let config = try layout.writeBlob(
            Data(#"{"architecture":"amd64","os":"linux","author":"\#(repository):\#(tag)","rootfs":{"type":"layers","diff_ids":[]}}"#.utf8))
        let manifest = ImageManifest(
            config: Descriptor(mediaType: .ociConfig, digest: config.digest, size: config.size),
            layers: [Descriptor(mediaType: .ociLayerGzip, digest: layer.digest, size: layer.size)])
        let bytes = try JSONEncoder.ocitool.encode(manifest)
        _ = try layout.putManifest(bytes, mediaType: .ociManifest, tag: tag)
        return (Digest.sha256(of: bytes), bytes)
    }
}

extension TestClientProtocol {
    /// Pushes a Debian image (one layer from `ScanServeFixtures.debianLayer`) and returns its manifest's descriptor.
    @discardableResult
    func pushDebianImage(to repository: String, tag: String, headers: HTTPFields = [:]) async throws -> Descriptor {
        let layer = try ScanServeFixtures.debianLayer()
        let layerDigest = try await pushBlob(layer, to: repository, headers: headers)
        let config = Data(
            #"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#.utf8)
        let configDigest = try await pushBlob(config, to: repository, headers: headers)
        let manifest = ImageManifest(
            config: Descriptor(mediaType: .ociConfig, digest: configDigest, size: Int64(config.count)),
            layers: [Descriptor(mediaType: .ociLayerGzip, digest: layerDigest, size: Int64(layer.count))])
        let bytes = try JSONEncoder.ocitool.encode(manifest)
        var manifestHeaders = headers
        manifestHeaders[.contentType] = Layout.MediaType.ociManifest.rawValue
        let response = try await execute(
            uri: "/v2/\(repository)/manifests/\(tag)", method: .put, headers: manifestHeaders, body: bytes.buffer)
        #expect(response.status == .created, "push manifest: \(response.body.string)")
        return Descriptor(mediaType: .ociManifest, digest: Digest.sha256(of: bytes), size: Int64(bytes.count))
    }

    /// GET of a scan result, decoded.
    func scanResult(_ repository: String, _ reference: String, headers: HTTPFields = [:]) async throws -> [String: Any] {
        let response = try await execute(
            uri: "/v2/\(repository)/manifests/\(reference)/scan", method: .get, headers: headers)
        #expect(response.status == .ok, "scan result: \(response.body.string)")
        return try JSONSerialization.jsonObject(with: response.body.data) as? [String: Any] ?? [:]
    }

    /// Polls the scan result until `done` holds (at most 60 s).
    func waitForScan(
        _ repository: String, _ reference: String, headers: HTTPFields = [:],
        until done: ([String: Any]) -> Bool = { $0["status"] as? String == "complete" }
    ) async throws -> [String: Any] {
        var last: [String: Any] = [:]
        for _ in 0..<600 {
            last = try await scanResult(repository, reference, headers: headers)
            if done(last) { return last }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("the scan of \(repository):\(reference) did not finish: \(last)")
        return last
    }

    /// The value of one `/metrics` sample (the line starting with `prefix`), 0 when absent.
    func metric(_ prefix: String) async throws -> Double {
        let text = try await execute(uri: "/metrics", method: .get).body.string
        for line in text.split(separator: "\n") where line.hasPrefix(prefix + " ") {
            return Double(line.split(separator: " ").last ?? "") ?? 0
        }
        return 0
    }
}

/// A loopback HTTP server that keeps the bodies POSTed to it (the webhook's receiving end) and answers with the
/// statuses of `answers` in turn, then 200; written with plain sockets so it shares nothing with the code under test.
final class WebhookReceiver: @unchecked Sendable {
    let port: Int
    private let descriptor: Int32
    private let bodies = NIOLockedValueBox<[Data]>([])
    private let times = NIOLockedValueBox<[ContinuousClock.Instant]>([])
    private let answers: NIOLockedValueBox<[Int]>

    init(answers: [Int] = []) throws {
        let (fd, port) = try LoopbackPort.held()
        descriptor = fd
        self.port = port
        self.answers = NIOLockedValueBox(answers)
        let thread = Thread { [self] in self.serve() }
        thread.start()
    }

    var received: [Data] { bodies.withLockedValue { $0 } }

    /// When each request's body had arrived, in order.
    var arrivals: [ContinuousClock.Instant] { times.withLockedValue { $0 } }

    func stop() { shutdown(descriptor, Int32(SHUT_RDWR)); close(descriptor) }

    private func serve() {
        while true {
            let client = accept(descriptor, nil, nil)
            guard client >= 0 else { return }
            var buffer = [UInt8]()
            var chunk = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = read(client, &chunk, chunk.count)
                if count <= 0 { break }
                buffer += chunk[0..<count]
                if let body = WebhookReceiver.body(buffer) {
                    bodies.withLockedValue { $0.append(body) }
                    times.withLockedValue { $0.append(.now) }
                    break
                }
            }
            let status = answers.withLockedValue { $0.isEmpty ? 200 : $0.removeFirst() }
            let answer = Array("HTTP/1.1 \(status) Status\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".utf8)
            _ = answer.withUnsafeBytes { write(client, $0.baseAddress, $0.count) }
            close(client)
        }
    }

    /// The body, once the head and `Content-Length` bytes have arrived.
    private static func body(_ bytes: [UInt8]) -> Data? {
        let data = Data(bytes)
        guard let end = data.range(of: Data("\r\n\r\n".utf8)) else { return nil }
        let head = String(decoding: data[..<end.lowerBound], as: UTF8.self).lowercased()
        let length = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
            .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
        guard data.count - end.upperBound >= length else { return nil }
        return Data(data[end.upperBound..<(end.upperBound + length)])
    }
}
