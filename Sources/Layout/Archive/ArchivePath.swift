// SPDX-License-Identifier: Apache-2.0

/// Entry-name safety for archives: every name and link target is resolved lexically inside the archive root,
/// and anything that would point outside it is refused.
enum ArchivePath {
    /// Normalises an entry name (`./a//b` → `a/b`, `a/../b` → `b`); the root itself is `""`.
    /// - Throws: `LayoutError.unsafeArchiveEntry` for absolute names, names with NUL, and `..` leaving the root.
    static func normalize(_ name: String) throws(LayoutError) -> String {
        guard !name.utf8.contains(0) else { throw .unsafeArchiveEntry(name, reason: "the name contains a NUL byte") }
        guard !name.hasPrefix("/") else {
            throw .unsafeArchiveEntry(name, reason: "absolute paths are not allowed in an image archive")
        }
        guard let resolved = resolve(name, in: []) else {
            throw .unsafeArchiveEntry(name, reason: "'..' leads outside the archive")
        }
        return resolved
    }

    /// Where a symlink entry points: `target` is relative to the link's own directory.
    /// - Parameter entry: the link's normalised name.
    /// - Throws: `LayoutError.unsafeArchiveEntry` when the target is absolute or leaves the archive.
    static func symlinkTarget(_ target: String, of entry: String) throws(LayoutError) -> String {
        guard !target.utf8.contains(0) else {
            throw .unsafeArchiveEntry(entry, reason: "the link target contains a NUL byte")
        }
        let directory = entry.split(separator: "/").dropLast()
        guard !target.hasPrefix("/"), let resolved = resolve(target, in: Array(directory)) else {
            throw .unsafeArchiveEntry(entry, reason: "symlink to '\(target)' points outside the archive")
        }
        return resolved
    }

    /// Where a hardlink entry points: tar stores the target relative to the archive root.
    /// - Throws: `LayoutError.unsafeArchiveEntry` when the target is absolute or leaves the archive.
    static func hardlinkTarget(_ target: String, of entry: String) throws(LayoutError) -> String {
        guard !target.utf8.contains(0), !target.hasPrefix("/"), let resolved = resolve(target, in: []) else {
            throw .unsafeArchiveEntry(entry, reason: "hard link to '\(target)' points outside the archive")
        }
        return resolved
    }

    /// The digest a `blobs/<alg>/<hex>` name promises, or nil for any other name.
    static func blobDigest(_ name: String) -> Digest? {
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "blobs" else { return nil }
        return try? Digest("\(parts[1]):\(parts[2])")
    }

    /// Applies `relative` to the components `base`, or nil when `..` climbs above the root.
    private static func resolve(_ relative: String, in base: [Substring]) -> String? {
        var parts = base
        for component in relative.split(separator: "/") {
            switch component {
            case ".": continue
            case "..":
                guard !parts.isEmpty else { return nil }
                parts.removeLast()
            default: parts.append(component)
            }
        }
        return parts.joined(separator: "/")
    }
}
