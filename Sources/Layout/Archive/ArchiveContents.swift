// SPDX-License-Identifier: Apache-2.0
import Foundation

/// What one streaming pass over an image archive found (`ArchiveScanner`): the metadata files in memory, every
/// other regular file as an `ArchiveFile` (small ones in memory, large ones staged in the importing layout's
/// temporary directory, or left in place in the archive file, or spooled), and the links between entries.
/// Nothing here is visible in a layout until the importer commits it; staged files left uncommitted are removed
/// when the contents are released.
struct ArchiveContents {
    /// Top-level files read into memory instead of staged as blobs.
    static let metadataNames: Set<String> = ["manifest.json", "index.json", "oci-layout", "repositories"]

    /// Metadata files by name.
    var metadata: [String: Data] = [:]
    /// Regular files by normalised entry name.
    var files: [String: ArchiveFile] = [:]
    /// Symlinks and hardlinks: normalised entry name → normalised target name.
    var links: [String: String] = [:]

    /// Refuses a second entry for `name`: a later member must never silently replace a layer, a config or a
    /// manifest read before it.
    /// - Parameter entry: the name as the archive spells it, for the message.
    /// - Throws: `LayoutError.archive` when the archive already had an entry of that name.
    func checkFirst(_ name: String, entry: String) throws(LayoutError) {
        guard metadata[name] == nil, files[name] == nil, links[name] == nil else {
            throw .archive("the archive holds \(entry) twice: a second member of the same name is refused")
        }
    }

    /// The file at `name`, following links anywhere along the path; nil when there is none.
    /// - Throws: `LayoutError.archive` for link loops.
    func file(at name: String) throws(LayoutError) -> ArchiveFile? {
        var current = name
        for _ in 0..<40 {
            if let file = files[current] { return file }
            let components = current.split(separator: "/")
            guard !components.isEmpty else { return nil }
            var redirected = false
            for length in 1...components.count {
                let prefix = components[..<length].joined(separator: "/")
                guard let target = links[prefix] else { continue }
                let rest = components[length...]
                current = ([target] + rest.map(String.init)).filter { !$0.isEmpty }.joined(separator: "/")
                redirected = true
                break
            }
            if !redirected { return nil }
        }
        throw .archive("too many levels of links resolving \(name) (a link loop?)")
    }

    /// The content for a blob digest: the file `blobs/<alg>/<hex>` (through links), checked against the digest.
    /// - Throws: `LayoutError.digestMismatch` when a link leads to other content.
    func blob(_ digest: Digest) throws(LayoutError) -> ArchiveFile? {
        guard let file = try file(at: digest.blobPath) else { return nil }
        guard file.digest == digest else { throw .digestMismatch(expected: digest, actual: file.digest) }
        return file
    }
}
