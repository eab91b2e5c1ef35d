// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
import Testing

/// An archive whose content contradicts what it claims must never be imported as a different image. `fsck`
/// cannot catch a consistently wrong import (the blobs hash to their new names), so each mutation class is
/// tested here, and checked against skopeo's verdict on the same file where skopeo reads that form.
@Suite("Import verifies every digest an archive claims")
struct ImportIntegrityTests {
    typealias Fixtures = ArchiveFixtures

    /// An image with two small uncompressed layers and a legacy archive of it.
    static func legacy(_ directory: String) throws -> (Fixtures.Image, [Fixtures.Entry]) {
        let image = try Fixtures.image(in: directory, layers: 2)
        return (image, Fixtures.legacyDockerArchive([(image, ["app:1"])]))
    }

    /// `entries` with the content of the regular file `name` replaced.
    static func replacing(_ name: String, in entries: [Fixtures.Entry], with data: Data) -> [Fixtures.Entry] {
        entries.map { $0.name == name ? .file(name, data) : $0 }
    }

    static func content(_ name: String, in entries: [Fixtures.Entry]) throws -> Data {
        guard case .file(let data)? = entries.first(where: { $0.name == name })?.kind else {
            throw LayoutError.archive("no file \(name) in the fixture")
        }
        return data
    }

    static func flippingBit(_ data: Data, at offset: Int) -> Data {
        var copy = data
        copy[copy.startIndex + offset] ^= 0x10
        return copy
    }

    /// The import fails, leaving the layout unchanged; returns the error.
    static func rejection(_ path: String, in directory: String) throws -> LayoutError? {
        let layout = try OCILayout.create(at: "\(directory)/layout-\(UUID().uuidString)")
        return try ImportBadInputTests.rejection(layout, path)
    }

    static func expectMismatch(
        _ error: LayoutError?, _ parts: [String], sourceLocation: SourceLocation = #_sourceLocation
    ) {
        guard case .archiveMismatch(let reason)? = error else {
            Issue.record("expected archiveMismatch, got \(String(describing: error))", sourceLocation: sourceLocation)
            return
        }
        for part in parts { #expect(reason.contains(part), "\(reason)", sourceLocation: sourceLocation) }
    }

    static func expectArchiveError(_ error: LayoutError?, _ part: String, sourceLocation: SourceLocation = #_sourceLocation) {
        guard case .archive(let reason)? = error else {
            Issue.record("expected LayoutError.archive, got \(String(describing: error))", sourceLocation: sourceLocation)
            return
        }
        #expect(reason.contains(part), "\(reason)", sourceLocation: sourceLocation)
    }

    /// skopeo refuses to copy the docker-archive at `path`.
    static func expectSkopeoRejects(_ path: String, in directory: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let result = try ExportFixtures.skopeo(["copy", "docker-archive:\(path)", "oci:\(directory)/skopeo-\(UUID().uuidString):x"])
        #expect(result.status != 0, "skopeo accepted the archive", sourceLocation: sourceLocation)
    }

    // MARK: - Layers against diff IDs

    @Test func bitFlipInALegacyLayer() throws {
        let directory = try Fixtures.scratch()
        defer { Fixtures.remove(directory) }
        let (image, entries) = try Self.legacy(directory)
        let layerName = try #require(entries.first { $0.name.hasSuffix("/layer.tar") }).name
        let flipped = Self.flippingBit(image.layers[0], at: 700)
        let path = try Fixtures.archive(Self.replacing(layerName, in: entries, with: flipped), in: directory)
        Self.expectMismatch(
            try Self.rejection(path, in: directory),
            [layerName, "rootfs.diff_ids[0]", image.layerDigests[0].description, Digest.sha256(of: flipped).description])
        try Self.expectSkopeoRejects(path, in: directory)
    }

    @Test func bitFlipInADocker25Layer() throws {
        let directory = try Fixtures.scratch()
        defer { Fixtures.remove(directory) }
        let image = try Fixtures.image(in: directory, layers: 2)
        let entries = Fixtures.docker25Archive([(image, ["app:1"])])
        let name = image.layerDigests[1].blobPath
        let flipped = Self.flippingBit(image.layers[1], at: 600)
        let path = try Fixtures.archive(Self.replacing(name, in: entries, with: flipped), in: directory)
        Self.expectMismatch(try Self.rejection(path, in: directory), [name, Digest.sha256(of: flipped).description])
        try Self.expectSkopeoRejects(path, in: directory)
    }

    @Test func moreDiffIDsThanLayers() throws {
        let directory = try Fixtures.scratch()
        defer { Fixtures.remove(directory) }
        var image = try Fixtures.image(in: directory, layers: 2)
        var config = try #require(try JSONSerialization.jsonObject(with: image.config) as? [String: Any])
        config["rootfs"] = ["type": "layers", "diff_ids": (image.layerDigests + [image.layerDigests[0]]).map(\.description)]
        image.config = Fixtures.json(config)
        let path = try Fixtures.archive(Fixtures.legacyDockerArchive([(image, ["app:1"])]), in: directory)
        Self.expectMismatch(try Self.rejection(path, in: directory), ["2 layers", "3 diff IDs"])
        try Self.expectSkopeoRejects(path, in: directory)
    }

    @Test func configThatIsNotJSON() throws {
        let directory = try Fixtures.scratch()
        defer { Fixtures.remove(directory) }
        var image = try Fixtures.image(in: directory, layers: 1)
        image.config = Data("not json {".utf8)
        let path = try Fixtures.archive(Fixtures.legacyDockerArchive([(image, ["app:1"])]), in: directory)
        Self.expectArchiveError(try Self.rejection(path, in: directory), "not valid JSON")
        try Self.expectSkopeoRejects(path, in: directory)
    }

    /// A config named `<hex>.json` whose content has another digest (its diff IDs still right).
    @Test func configWhoseNameIsAnotherDigest() throws {
        let directory = try Fixtures.scratch()
        defer { Fixtures.remove(directory) }
        let (image, entries) = try Self.legacy(directory)
        let name = "\(image.configDigest.encoded).json"
        var config = try #require(try JSONSerialization.jsonObject(with: image.config) as? [String: Any])
        config["author"] = "someone else"
        let path = try Fixtures.archive(Self.replacing(name, in: entries, with: Fixtures.json(config)), in: directory)
        Self.expectMismatch(try Self.rejection(path, in: directory), [name, "not the digest its name gives"])
    }

    /// A gzip layer of a legacy archive is decompressed while read, for its diff ID.
    @Test(arguments: [Compression.gzip, .zstd])
    func compressedLegacyLayerChecksItsDiffID(compression: Compression) throws {
        let directory = try Fixtures.scratch()
        defer { Fixtures.remove(directory) }
        let good = try Fixtures.image(in: directory, layers: 1, layerSize: 3 * 1024 * 1024, compression: compression)
        let layout = try OCILayout.create(at: directory + "/layout")
        let imported = try layout.importArchive(
            from: try Fixtures.archive(Fixtures.legacyDockerArchive([(good, ["app:1"])]), in: directory))
        #expect(imported.images.count == 1)
        // The same config over another layer of the same compression: the diff ID is no longer the layer's.
        var wrong = good
        wrong.layers = [try Fixtures.layer(in: directory, compression: compression)]
        let path = try Fixtures.archive(Fixtures.legacyDockerArchive([(wrong, ["app:1"])]), in: directory)
        Self.expectMismatch(try Self.rejection(path, in: directory), ["rootfs.diff_ids[0]"])
    }

    // MARK: - Tar members

    /// A tar header that declares one byte more than the member's content: a layer (a whole number of 512-byte
    /// blocks, so the next header is misread) and the config (the extra byte is padding).
    @Test(arguments: ["layer", "config"])
    func memberSizePlusOne(member: String) throws {
        let directory = try Fixtures.scratch()
        defer { Fixtures.remove(directory) }
        let (image, entries) = try Self.legacy(directory)
        let name =
            member == "layer"
            ? try #require(entries.first { $0.name.hasSuffix("/layer.tar") }).name : "\(image.configDigest.encoded).json"
        let path = "\(directory)/patched.tar"
        try Self.patchingSize(of: name, in: Fixtures.rawTar(entries), by: 1).write(to: URL(fileURLWithPath: path))
        let error = try Self.rejection(path, in: directory)
        #expect(error != nil)
        if member == "config" { Self.expectMismatch(error, [name]) }
        try Self.expectSkopeoRejects(path, in: directory)
    }

    /// A tar header whose checksum does not match (one bit of its mtime flipped) is an error; libarchive would
    /// skip it and read on.
    @Test func damagedTarHeader() throws {
        let directory = try Fixtures.scratch()
        defer { Fixtures.remove(directory) }
        let (_, entries) = try Self.legacy(directory)
        let tar = Fixtures.rawTar(entries)
        let headers = stride(from: 0, to: tar.count - 1024, by: 512).filter { offset in
            String(decoding: tar[offset + 257..<offset + 262], as: UTF8.self) == "ustar"
        }
        // The header of the second member.
        let path = try Self.write(Self.flippingBit(tar, at: headers[1] + 136), in: directory)
        Self.expectArchiveError(try Self.rejection(path, in: directory), "Damaged tar archive")
        try Self.expectSkopeoRejects(path, in: directory)
    }

    /// A second member of the same name never replaces the first: the archive is refused.
    @Test(arguments: ["layer", "config", "manifest.json"])
    func duplicateMember(member: String) throws {
        let directory = try Fixtures.scratch()
        defer { Fixtures.remove(directory) }
        let (image, entries) = try Self.legacy(directory)
        let name: String
        switch member {
        case "layer": name = try #require(entries.first { $0.name.hasSuffix("/layer.tar") }).name
        case "config": name = "\(image.configDigest.encoded).json"
        default: name = member
        }
        let duplicate = Self.flippingBit(try Self.content(name, in: entries), at: 10)
        let path = try Fixtures.archive(entries + [.file("./" + name, duplicate)], in: directory)
        Self.expectArchiveError(try Self.rejection(path, in: directory), "holds ./\(name) twice")
    }

    // MARK: - Compressed archives are read to their end

    static func compressedLegacy(_ directory: String, _ compression: Compression) throws -> Data {
        let (_, entries) = try legacy(directory)
        let plain = try Fixtures.archive(entries, in: directory)
        let tool = compression == .gzip ? ["gzip", "-c"] : ["zstd", "-q", "-c"]
        return try Fixtures.filter(try Data(contentsOf: URL(fileURLWithPath: plain)), through: tool)
    }

    static func write(_ data: Data, in directory: String) throws -> String {
        let path = "\(directory)/mutated-\(UUID().uuidString).tar"
        try data.write(to: URL(fileURLWithPath: path))
        return path
    }

    /// gzip's trailer is CRC-32 then length; zstd(1) ends a frame with a 4-byte content checksum.
    @Test(arguments: [Compression.gzip, .zstd])
    func checksumMismatch(compression: Compression) throws {
        let directory = try Fixtures.scratch()
        defer { Fixtures.remove(directory) }
        let data = try Self.compressedLegacy(directory, compression)
        let offset = compression == .gzip ? data.count - 8 : data.count - 2
        let path = try Self.write(Self.flippingBit(data, at: offset), in: directory)
        Self.expectMismatch(try Self.rejection(path, in: directory), [path, compression == .gzip ? "incorrect data check" : "checksum"])
    }

    @Test(arguments: [Compression.gzip, .zstd])
    func trailingGarbage(compression: Compression) throws {
        let directory = try Fixtures.scratch()
        defer { Fixtures.remove(directory) }
        let data = try Self.compressedLegacy(directory, compression) + Data("garbage after the stream".utf8)
        Self.expectArchiveError(try Self.rejection(try Self.write(data, in: directory), in: directory), "follow the end")
    }

    @Test(arguments: [Compression.gzip, .zstd])
    func truncatedStream(compression: Compression) throws {
        let directory = try Fixtures.scratch()
        defer { Fixtures.remove(directory) }
        let data = try Self.compressedLegacy(directory, compression)
        let path = try Self.write(data.prefix(data.count - 3), in: directory)
        Self.expectArchiveError(try Self.rejection(path, in: directory), "ends early")
    }

    /// Concatenated members are one stream, as gzip(1) reads them.
    @Test func concatenatedGzipMembersAreOneStream() throws {
        let directory = try Fixtures.scratch()
        defer { Fixtures.remove(directory) }
        let (image, entries) = try Self.legacy(directory)
        let plain = try Data(contentsOf: URL(fileURLWithPath: try Fixtures.archive(entries, in: directory)))
        let half = plain.count / 2
        let data =
            try Fixtures.filter(plain.prefix(half), through: ["gzip", "-c"])
            + Fixtures.filter(plain.suffix(from: half), through: ["gzip", "-c"])
        let layout = try OCILayout.create(at: directory + "/layout")
        let result = try layout.importArchive(from: try Self.write(data, in: directory))
        #expect(result.images.map(\.descriptor.digest) == [try layout.resolve(.tag("1")).digest])
        #expect(try layout.imageConfigDigest(result) == image.configDigest)
    }

    // MARK: - Helpers

    /// `tar` with the size field of `member`'s header changed by `delta` (and its checksum recomputed).
    static func patchingSize(of member: String, in tar: Data, by delta: Int) throws -> Data {
        var bytes = [UInt8](tar)
        var offset = 0
        while offset + 512 <= bytes.count {
            let name = String(decoding: bytes[offset..<offset + 100].prefix { $0 != 0 }, as: UTF8.self)
            let sizeText = String(decoding: bytes[offset + 124..<offset + 135], as: UTF8.self)
            guard let size = Int(sizeText, radix: 8) else { break }
            if name == member {
                let patched = String(size + delta, radix: 8)
                let field = String(repeating: "0", count: 11 - patched.count) + patched
                bytes.replaceSubrange(offset + 124..<offset + 135, with: Array(field.utf8))
                bytes.replaceSubrange(offset + 148..<offset + 156, with: Array("        ".utf8))
                let sum = String(bytes[offset..<offset + 512].reduce(0) { $0 + Int($1) }, radix: 8)
                let checksum = String(repeating: "0", count: 6 - sum.count) + sum
                bytes.replaceSubrange(offset + 148..<offset + 155, with: Array(checksum.utf8) + [0])
                return Data(bytes)
            }
            offset += 512 + (size + 511) / 512 * 512
        }
        throw LayoutError.archive("no member \(member) in the tar")
    }
}

extension OCILayout {
    /// The config digest of the one image an import listed.
    fileprivate func imageConfigDigest(_ result: ImportResult) throws -> Digest {
        guard case .image(let image) = try manifest(result.images[0].descriptor).kind else {
            throw LayoutError.manifestInvalid("not an image")
        }
        return image.config.digest
    }
}
