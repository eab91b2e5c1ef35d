// SPDX-License-Identifier: Apache-2.0
import Foundation
import Glibc

/// An OCI image layout directory: `oci-layout`, `index.json` and `blobs/<alg>/<hex>`.
///
/// Spec: https://github.com/opencontainers/image-spec/blob/v1.1.0/image-layout.md
///
/// A value is just a path; every operation goes to its storage (`storage`, the one seam to the bytes), so
/// several processes may share a layout. Writers follow one order: blobs durable, then the manifest blob, then
/// index.json (compare-and-swap, serialized on the file system by an exclusive `flock` on `.ocitool/lock`,
/// replaced by atomic rename). Temporary files live in `.ocitool/tmp/` and are never visible under `blobs/`.
public struct OCILayout: Sendable, Hashable, CustomStringConvertible {
    /// The layout directory.
    public let path: String
    /// Where the layout's blobs and index.json live.
    public let storage: FileSystemStorage

    /// The `oci-layout` file content ocitool writes.
    static let layoutFileContent = Data(#"{"imageLayoutVersion":"1.0.0"}"#.utf8)
    /// Largest index.json ocitool reads.
    static let maxIndexSize = 64 * 1024 * 1024

    /// Opens an existing layout.
    /// - Throws: `LayoutError.layoutMissing` when nothing exists at `path`, `.notALayout` when it has no
    ///   `oci-layout` file.
    public init(at path: String) throws(LayoutError) {
        self.init(unchecked: path)
        guard FileSystem.fileSize(self.path + "/oci-layout") != nil else {
            throw FileSystem.exists(path) ? .notALayout(path) : .layoutMissing(path)
        }
    }

    private init(unchecked path: String) {
        self.path = OCILayout.normalize(path)
        self.storage = FileSystemStorage(root: self.path)
    }

    public static func == (lhs: OCILayout, rhs: OCILayout) -> Bool { lhs.path == rhs.path }

    public func hash(into hasher: inout Hasher) { hasher.combine(path) }

    /// Creates a layout at `path` (and its parents), or opens it when it already is one.
    /// - Throws: `LayoutError.invalidLayout` when `path` is a non-empty directory that is not a layout.
    @discardableResult
    public static func create(at path: String) throws(LayoutError) -> OCILayout {
        try create(at: path, inNamespace: false)
    }

    /// Creates a layout; with `inNamespace`, `path` may already hold other repositories' directories (a store's
    /// `team` next to `team/app`).
    static func create(at path: String, inNamespace: Bool) throws(LayoutError) -> OCILayout {
        if let existing = try? OCILayout(at: path) { return existing }
        let layout = OCILayout(unchecked: path)
        if !inNamespace, FileSystem.isDirectory(layout.path),
            !FileSystem.list(layout.path).allSatisfy(isLeftOfInterruptedCreate)
        {
            throw .invalidLayout(path, reason: "directory exists, is not empty and is not an OCI layout")
        }
        // Serialized, so two processes creating it at once never overwrite each other's index.json.
        return try layout.storage.serializingWriters { () throws(LayoutError) -> OCILayout in
            if FileSystem.fileSize(layout.path + "/oci-layout") != nil { return layout }
            try FileSystem.makeDirectories(layout.path + "/blobs/sha256")
            if layout.indexVersion() == nil { try layout.writeIndex(ImageIndex(manifests: []), replacing: nil) }
            // oci-layout last: a layout is only a layout once its index.json exists.
            try FileSystem.writeAtomically(layoutFileContent, to: layout.path + "/oci-layout")
            return layout
        }
    }

    public var description: String { path }

    /// What an interrupted `create` may have left, or a concurrent one written since this one found no layout (its
    /// `oci-layout` last): it can be completed, or is complete.
    private static func isLeftOfInterruptedCreate(_ name: String) -> Bool {
        [".ocitool", "blobs", "index.json", "oci-layout"].contains(name) || name.hasPrefix("index.json.tmp-")
            || name.hasPrefix("oci-layout.tmp-")
    }

    /// `.ocitool/`: ocitool's private state inside the layout (lock file, temporary files).
    var privatePath: String { storage.privatePath }
    /// Where blobs are staged before they are renamed into `blobs/`.
    var temporaryPath: String { storage.temporaryPath }

    /// The absolute path of a blob (which may not exist).
    public func blobPath(_ digest: Digest) -> String { storage.blobPath(digest) }

    private static func normalize(_ path: String) -> String {
        var trimmed = path
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed.removeLast() }
        return trimmed
    }
}
