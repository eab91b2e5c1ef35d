// SPDX-License-Identifier: Apache-2.0
import Foundation
import Glibc

/// An OCI image layout directory: `oci-layout`, `index.json` and `blobs/<alg>/<hex>`.
///
/// Spec: https://github.com/opencontainers/image-spec/blob/v1.1.0/image-layout.md
///
/// A value is just a location; every operation goes to its storage (`storage`, the one seam to the bytes), so
/// several processes may share a layout. A layout directory's storage is a `FileSystemStorage`; a repository in
/// an object store has the object store's (`init(storage:location:)`), and the file system's own features
/// (temporary files, partial downloads, hard links, gc's file ages) are then skipped or asked of the storage. Writers follow one order: blobs durable, then the manifest blob, then
/// index.json (compare-and-swap, serialized on the file system by an exclusive `flock` on `.ocitool/lock`,
/// replaced by atomic rename). Temporary files live in `.ocitool/tmp/` and are never visible under `blobs/`.
public struct OCILayout: Sendable, Hashable, CustomStringConvertible {
    /// The layout directory, or for a repository in an object store its URL (`s3://bucket/prefix/name`).
    public let path: String
    /// Where the layout's blobs and index.json live.
    public let storage: any BlobStorage

    /// The storage when it is a layout directory's, for what only the file system does.
    var fileStorage: FileSystemStorage? { storage as? FileSystemStorage }

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

    /// A repository whose storage is not a layout directory (an object store's).
    /// - Parameters:
    ///   - storage: its blobs and index.json.
    ///   - location: what names it in messages and tells layouts apart (two values with one location are
    ///     equal), e.g. `s3://bucket/prefix/team/app`.
    public init(storage: any BlobStorage, location: String) {
        self.path = location
        self.storage = storage
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

    /// `.ocitool/`: ocitool's private state inside the layout directory (lock file, temporary files).
    var privatePath: String { path + "/.ocitool" }
    /// Where blobs are staged before they are renamed into `blobs/`.
    var temporaryPath: String { privatePath + "/tmp" }

    /// The absolute path of a blob in a layout directory (which may not exist); for an object store's
    /// repository, its name under the repository's URL (for messages).
    public func blobPath(_ digest: Digest) -> String { path + "/" + digest.blobPath }

    private static func normalize(_ path: String) -> String {
        var trimmed = path
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed.removeLast() }
        return trimmed
    }
}
