// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
import Scan
import TestSupport

/// Test images for the catalog tests: layers made by Python's tarfile (and gzip, zstd(1), GNU tar, rpm's header
/// code through Tests/interop/scan_fixture.py), stored in a fresh layout in-process.
enum ScanImageFixtures {
    static let script = Oracle.repositoryRoot + "/Tests/interop/scan_fixture.py"

    /// One tar entry.
    struct Entry: Encodable {
        var path: String
        var kind = "file"
        var text: String?
        var b64: String?
        var target: String?
        var mode: Int?

        static func file(_ path: String, _ text: String, mode: Int? = nil) -> Entry {
            Entry(path: path, text: text, mode: mode)
        }
        static func data(_ path: String, _ data: Data) -> Entry { Entry(path: path, b64: data.base64EncodedString()) }
        static func symlink(_ path: String, to target: String) -> Entry { Entry(path: path, kind: "symlink", target: target) }
        static func directory(_ path: String) -> Entry { Entry(path: path, kind: "dir") }
    }

    static func makeLayout() throws -> OCILayout {
        let directory = TestScratch.directory("scan-catalog").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return try OCILayout.create(at: directory + "/layout")
    }

    /// A layer tarball's bytes.
    static func layer(_ entries: [Entry], compression: String = "gzip") throws -> Data {
        struct Spec: Encodable {
            var compression: String
            var entries: [Entry]
        }
        let spec = try JSONEncoder().encode(Spec(compression: compression, entries: entries))
        return try runScript(["tar"], input: spec)
    }

    /// An rpmdb.sqlite holding real rpm header blobs (python3-rpm).
    static func rpmdb(_ packages: [[String: Any]]) throws -> Data {
        try runScript(["rpmdb"], input: try JSONSerialization.data(withJSONObject: packages), python: Oracle.systemPython)
    }

    /// A GNU tar holding one sparse file of `size` bytes (a few KiB on disk whatever the size).
    static func sparseLayer(path: String, size: Int64) throws -> Data {
        try runScript(["sparse-tar", "OUT", path, String(size)], input: Data())
    }

    /// Stores an image of `layers` (media type from the compression), returning its manifest's descriptor
    /// (listed in index.json under `tag` unless nil).
    @discardableResult
    static func pushImage(
        _ layout: OCILayout, layers: [Data], platform: Platform = Platform(architecture: "amd64", os: "linux"),
        tag: String?
    ) throws -> Descriptor {
        var descriptors: [Descriptor] = []
        for layer in layers {
            let blob = try layout.writeBlob(layer)
            let mediaType: MediaType =
                switch Compression(magic: layer.prefix(4)) {
                case .gzip: .ociLayerGzip
                case .zstd: .ociLayerZstd
                case .none: .ociLayer
                }
            descriptors.append(Descriptor(mediaType: mediaType, digest: blob.digest, size: blob.size))
        }
        let config = ImageConfig(
            architecture: platform.architecture, os: platform.os, variant: platform.variant, created: "2024-01-01T00:00:00Z",
            rootfs: ImageConfig.RootFS(diffIDs: descriptors.map(\.digest)))
        let configBlob = try layout.writeBlob(try JSONEncoder.ocitool.encode(config))
        let manifest = ImageManifest(
            config: Descriptor(mediaType: .ociConfig, digest: configBlob.digest, size: configBlob.size), layers: descriptors)
        let bytes = try JSONEncoder.ocitool.encode(manifest)
        if let tag { return try layout.putManifest(bytes, mediaType: .ociManifest, tag: tag) }
        let stored = try layout.writeBlob(bytes)
        return Descriptor(mediaType: .ociManifest, digest: stored.digest, size: stored.size, platform: platform)
    }

    static let debianOSRelease = """
        PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
        NAME="Debian GNU/Linux"
        VERSION_ID="12"
        ID=debian

        """

    /// A dpkg status file: libc6 (Source: glibc), libssl3 (Source: openssl (3.0.11-1~deb12u1), a binNMU-like
    /// version differing from the source), base-files (no Source), and a removed package.
    static let dpkgStatus = """
        Package: libc6
        Status: install ok installed
        Architecture: amd64
        Source: glibc
        Version: 2.36-9+deb12u4
        Description: GNU C Library: Shared libraries
         Contains the standard libraries that are used by nearly all programs on
         the system.

        Package: libssl3
        Status: install ok installed
        Architecture: amd64
        Source: openssl (3.0.11-1~deb12u1)
        Version: 3.0.11-1~deb12u1+b1

        Package: base-files
        Status: install ok installed
        Architecture: amd64
        Version: 12.4+deb12u5

        Package: oldpkg
        Status: deinstall ok config-files
        Architecture: amd64
        Version: 1.0-1

        """

    static let apkInstalled = """
        C:Q1abc=
        P:musl
        V:1.2.4-r2
        A:x86_64
        L:MIT
        o:musl
        T:the musl c library

        P:libcrypto3
        V:3.1.4-r5
        A:x86_64
        L:Apache-2.0
        o:openssl

        P:busybox
        V:1.36.1-r15
        A:x86_64
        L:GPL-2.0-only
        o:busybox

        """

    static let alpineOSRelease = """
        NAME="Alpine Linux"
        ID=alpine
        VERSION_ID=3.19.1
        PRETTY_NAME="Alpine Linux v3.19"

        """

    /// Runs the fixture script; `OUT` in `arguments` (or a trailing output path) is replaced by a temp file
    /// whose contents are returned.
    private static func runScript(_ arguments: [String], input: Data, python: String = Oracle.systemPython) throws -> Data {
        let directory = TestScratch.directory("scan-fixture")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = directory.appendingPathComponent("out").path
        let inputFile = directory.appendingPathComponent("in")
        try input.write(to: inputFile)
        var args = arguments
        if let index = args.firstIndex(of: "OUT") { args[index] = output } else { args.insert(output, at: 1) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script] + args
        process.standardInput = try FileHandle(forReadingFrom: inputFile)
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw OracleError("scan_fixture.py \(args.joined(separator: " ")): \(String(decoding: message, as: UTF8.self))")
        }
        return try Data(contentsOf: URL(fileURLWithPath: output))
    }
}
