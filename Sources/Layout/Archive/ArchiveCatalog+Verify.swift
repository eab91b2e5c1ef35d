// SPDX-License-Identifier: Apache-2.0
import Foundation

/// What an archive claims about its images, checked against what it holds: a config is a valid image
/// configuration, the layers match its `rootfs.diff_ids` in number and content, and names that carry a digest
/// carry the right one. A mismatch is `LayoutError.archiveMismatch` (exit 4), naming the member and both values.
extension ArchiveCatalog {
    /// The image configuration in `file`.
    /// - Parameter member: the config's name in the archive, for messages.
    /// - Throws: `LayoutError.archive` when it is not a JSON image configuration.
    static func imageConfig(_ file: ArchiveFile, member: String) throws(LayoutError) -> ImageConfig {
        let bytes = try file.bytes(limit: Manifest.maxSize)
        do { return try JSONDecoder().decode(ImageConfig.self, from: bytes) } catch {
            throw .archive("the image config \(member) is not valid JSON of an image config: \(Manifest.describe(error))")
        }
    }

    /// Checks the layers of an image against its config's diff IDs, in order. A layer the archive does not carry
    /// (a foreign layer) or that was not decompressed (a compressed blob, verified by its digest name) counts
    /// but is not hashed.
    /// - Parameters:
    ///   - diffIDs: the config's `rootfs.diff_ids`.
    ///   - configName: how messages name the config.
    ///   - layers: each layer's name and content.
    static func verifyDiffIDs(
        _ diffIDs: [Digest], configName: String, layers: [(member: String, file: ArchiveFile?)]
    ) throws(LayoutError) {
        guard diffIDs.count == layers.count else {
            throw .archiveMismatch(
                "the image has \(counted(layers.count, "layer")), but its config \(configName) lists "
                    + "\(counted(diffIDs.count, "diff ID")) in rootfs.diff_ids")
        }
        for (position, (member, file)) in layers.enumerated() {
            guard let file, let actual = try file.uncompressedDigest(member: member) else { continue }
            guard actual == diffIDs[position] else {
                throw .archiveMismatch(
                    "layer \(member) is \(actual) uncompressed, but rootfs.diff_ids[\(position)] of \(configName) "
                        + "is \(diffIDs[position])")
            }
        }
    }

    /// Checks a legacy archive name that spells a digest (`<hex>.json`, `<hex>.tar`, as skopeo writes them)
    /// against the content. Other names (docker's `<layer id>/layer.tar`) carry none.
    static func verifyDigestName(_ member: String, of file: ArchiveFile) throws(LayoutError) {
        let base = member.split(separator: "/").last.map(String.init) ?? member
        guard let dot = base.lastIndex(of: "."), [".json", ".tar"].contains(base[dot...]),
            let named = try? Digest("sha256:\(base[..<dot])"), named != file.digest
        else { return }
        throw .archiveMismatch("\(member): the content is \(file.digest), not the digest its name gives")
    }
}
