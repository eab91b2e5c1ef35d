// SPDX-License-Identifier: Apache-2.0
import Foundation
import TestSupport
import Layout

/// Builds docker-archive (legacy and docker >= 25 OCI form) and oci-archive tarballs in temporary directories,
/// with random layer content. Regular files go through `ArchiveWriter`; entries it cannot write (links,
/// FIFOs) through a minimal ustar writer (`ArchiveFixtures.rawTar`).
enum ArchiveFixtures {
    /// One tar entry.
    struct Entry {
        enum Kind {
            case file(Data)
            case directory
            case symlink(String)
            case hardlink(String)
            case fifo
        }

        var name: String
        var kind: Kind

        static func file(_ name: String, _ data: Data) -> Entry { Entry(name: name, kind: .file(data)) }
        static func json(_ name: String, _ object: Any) -> Entry { .file(name, ArchiveFixtures.json(object)) }
    }

    /// An image: config, layers and the exact manifest bytes an archive carries (pretty-printed, so not what
    /// ocitool would generate: the digest must survive).
    struct Image {
        var config: Data
        var layers: [Data]
        var layerMediaType: String
        var manifest: Data

        var manifestDigest: Digest { Digest.sha256(of: manifest) }
        var configDigest: Digest { Digest.sha256(of: config) }
        var layerDigests: [Digest] { layers.map { Digest.sha256(of: $0) } }
    }

    static let ociManifestType = "application/vnd.oci.image.manifest.v1+json"
    static let ociIndexType = "application/vnd.oci.image.index.v1+json"
    static let ociLayerType = "application/vnd.oci.image.layer.v1.tar"

    // MARK: - Scratch space and content

    /// A new unique directory under the system temporary directory.
    static func scratch() throws -> String {
        let path = TestScratch.directory("ocitool-import").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func remove(_ path: String) { try? FileManager.default.removeItem(atPath: path) }

    static func random(_ count: Int) -> Data { LayoutFixtures.randomBytes(count) }

    static func json(_ object: Any) -> Data {
        // Pretty-printed and with escaped slashes: deliberately not ocitool's own encoding.
        (try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted])) ?? Data()
    }

    /// A real layer tarball with random files, optionally gzip or zstd compressed.
    static func layer(in directory: String, files: Int = 2, size: Int = 300, compression: Compression = .none)
        throws -> Data
    {
        let path = "\(directory)/layer-\(UUID().uuidString).tar"
        defer { remove(path) }
        let entries = (0..<files).map { Entry.file("usr/share/file\($0)", random(size)) }
        try write([Entry(name: "usr/share", kind: .directory)] + entries, to: path, compression: compression)
        return try Data(contentsOf: URL(fileURLWithPath: path))
    }

    /// An image with random layers and a config listing their diff IDs.
    static func image(
        in directory: String, layers: Int = 2, layerSize: Int = 300, compression: Compression = .none,
        layerMediaType: String? = nil, sharing shared: [Data] = []
    ) throws -> Image {
        var layerData = shared
        for _ in 0..<layers { layerData.append(try layer(in: directory, size: layerSize, compression: compression)) }
        let config = json([
            "architecture": "amd64", "os": "linux", "created": "2024-01-01T00:00:00Z",
            "config": ["Env": ["NONCE=\(UUID().uuidString)"]],
            "rootfs": ["type": "layers", "diff_ids": try layerData.map { try diffID(of: $0).description }],
        ])
        let mediaType =
            layerMediaType
            ?? (compression == .gzip ? ociLayerType + "+gzip" : compression == .zstd ? ociLayerType + "+zstd" : ociLayerType)
        let manifest = json([
            "schemaVersion": 2, "mediaType": ociManifestType,
            "config": descriptor(config, "application/vnd.oci.image.config.v1+json"),
            "layers": layerData.map { descriptor($0, mediaType) },
        ])
        return Image(config: config, layers: layerData, layerMediaType: mediaType, manifest: manifest)
    }

    /// A layer's diff ID: the digest of its content uncompressed (by gzip(1) or zstd(1), independent of ocitool).
    static func diffID(of layer: Data) throws -> Digest {
        let tool: String
        if layer.starts(with: [0x1F, 0x8B]) {
            tool = "gzip"
        } else if layer.starts(with: [0x28, 0xB5, 0x2F, 0xFD]) {
            tool = "zstd"
        } else {
            return Digest.sha256(of: layer)
        }
        return Digest.sha256(of: try filter(layer, through: [tool, "-dc"]))
    }

    /// Runs `command` with `input` on its standard input and returns its standard output.
    static func filter(_ input: Data, through command: [String]) throws -> Data {
        let directory = try scratch()
        defer { remove(directory) }
        let inputPath = directory + "/input"
        try input.write(to: URL(fileURLWithPath: inputPath))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = command
        process.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: inputPath))
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw LayoutError.archive("\(command) failed") }
        return data
    }

    static func descriptor(_ data: Data, _ mediaType: String, annotations: [String: String]? = nil) -> [String: Any] {
        var result: [String: Any] = [
            "mediaType": mediaType, "digest": Digest.sha256(of: data).description, "size": data.count,
        ]
        if let annotations { result["annotations"] = annotations }
        return result
    }

    // MARK: - Archive forms

    /// How a legacy docker-archive stores a layer it already holds for another image.
    enum Duplicates { case copy, symlink, hardlink }

    /// A legacy `docker save` tarball: `<config hex>.json`, `<layer id>/{VERSION,json,layer.tar}`,
    /// manifest.json and repositories. A layer already stored is written as a copy or a link, as docker does.
    static func legacyDockerArchive(_ images: [(Image, repoTags: [String]?)], duplicates: Duplicates = .copy)
        -> [Entry]
    {
        var entries: [Entry] = []
        var stored: [Digest: String] = [:]
        var manifest: [[String: Any]] = []
        for (image, repoTags) in images {
            let configName = "\(image.configDigest.encoded).json"
            entries.append(.file(configName, image.config))
            var chain = ""
            var layerNames: [String] = []
            for layer in image.layers {
                let digest = Digest.sha256(of: layer)
                chain = Digest.sha256(of: Data((chain + digest.description).utf8)).encoded
                let name = "\(chain)/layer.tar"
                layerNames.append(name)
                // The same chain is the same layer id: stored once.
                guard !entries.contains(where: { $0.name == name }) else { continue }
                entries.append(Entry(name: "\(chain)/", kind: .directory))
                entries.append(.file("\(chain)/VERSION", Data("1.0".utf8)))
                entries.append(.json("\(chain)/json", ["id": chain]))
                if let first = stored[digest], duplicates != .copy {
                    entries.append(
                        Entry(name: name, kind: duplicates == .symlink ? .symlink("../\(first)") : .hardlink(first)))
                } else {
                    entries.append(.file(name, layer))
                    stored[digest] = name
                }
            }
            var item: [String: Any] = ["Config": configName, "Layers": layerNames]
            item["RepoTags"] = repoTags ?? NSNull()
            manifest.append(item)
        }
        entries.append(.json("manifest.json", manifest))
        entries.append(.json("repositories", [String: Any]()))
        return entries
    }

    /// An archive in OCI layout form: oci-layout, index.json and `blobs/sha256/<hex>`.
    struct OCIArchive {
        var blobs: [Digest: Data] = [:]
        var index: [[String: Any]] = []
        /// docker >= 25 also writes a manifest.json.
        var dockerManifest: [[String: Any]]?

        /// Adds an image's blobs and an index.json entry for its manifest.
        mutating func add(_ image: Image, annotations: [String: String]? = nil) {
            addBlobs(image)
            index.append(ArchiveFixtures.descriptor(image.manifest, ociManifestType, annotations: annotations))
        }

        /// Adds an image's blobs without listing it (a child of an index).
        mutating func addBlobs(_ image: Image) {
            for blob in [image.config, image.manifest] + image.layers { addBlob(blob) }
        }

        mutating func addBlob(_ data: Data) { blobs[Digest.sha256(of: data)] = data }

        /// The tar entries, blobs in digest order.
        func entries() -> [Entry] {
            var entries: [Entry] = [
                .file("oci-layout", Data(#"{"imageLayoutVersion":"1.0.0"}"#.utf8)),
                .json("index.json", ["schemaVersion": 2, "mediaType": ociIndexType, "manifests": index]),
                Entry(name: "blobs/", kind: .directory), Entry(name: "blobs/sha256/", kind: .directory),
            ]
            for (digest, data) in blobs.sorted(by: { $0.key < $1.key }) { entries.append(.file(digest.blobPath, data)) }
            if let dockerManifest { entries.append(.json("manifest.json", dockerManifest)) }
            return entries
        }
    }

    /// A docker >= 25 `docker save` tarball: OCI layout form plus manifest.json with RepoTags.
    static func docker25Archive(_ images: [(Image, repoTags: [String])]) -> [Entry] {
        var archive = OCIArchive()
        archive.dockerManifest = []
        for (image, repoTags) in images {
            for name in repoTags {
                let tag = name.split(separator: ":").last.map(String.init) ?? "latest"
                archive.add(image, annotations: ["io.containerd.image.name": "docker.io/library/\(name)", "org.opencontainers.image.ref.name": tag])
            }
            archive.dockerManifest?.append([
                "Config": image.configDigest.blobPath, "RepoTags": repoTags,
                "Layers": image.layerDigests.map(\.blobPath),
            ])
        }
        return archive.entries()
    }
}
