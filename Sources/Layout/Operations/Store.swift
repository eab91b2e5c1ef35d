// SPDX-License-Identifier: Apache-2.0
import Foundation
import Glibc

/// A directory tree of OCI layouts: each directory holding an `oci-layout` file is one repository, named by its
/// path relative to the root with `/` separators (`ROOT/team/app` is repository `team/app`).
///
/// Names follow the distribution-spec grammar. Names beginning with `.` are never repositories (`ROOT/.ocitool/`
/// holds private state), and a component that would collide with a layout's own files (`blobs`, `index.json`,
/// `oci-layout`) is rejected. Nothing outside the root is ever reached: symbolic links are followed only when
/// they resolve inside it.
///
/// With a `backend` (an object store), repositories live there instead, and the root keeps only this machine's
/// private state (`ROOT/.ocitool/`).
public struct Store: Sendable, Hashable {
    /// The store's root directory.
    public let root: String
    /// Where the repositories live when not under `root`.
    public let backend: (any RepositoryBackend)?

    /// Path components a repository name may not contain: a layout's own files.
    public static let reservedComponents: Set<String> = ["blobs", "index.json", "oci-layout"]

    /// - Parameters:
    ///   - root: the store's root directory (need not exist yet).
    ///   - backend: where the repositories live, when not under `root`.
    public init(root: String, backend: (any RepositoryBackend)? = nil) {
        var trimmed = root
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed.removeLast() }
        self.root = trimmed
        self.backend = backend
    }

    /// Where the store's upload sessions live: the backend's area, else `ROOT/.ocitool/uploads`.
    public var uploadArea: any UploadArea { backend?.uploadArea ?? FileUploadArea(root: root) }

    public static func == (lhs: Store, rhs: Store) -> Bool {
        lhs.root == rhs.root && lhs.backend?.location == rhs.backend?.location
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(root)
        hasher.combine(backend?.location)
    }

    /// Every repository in the store, sorted. Directories whose relative path is not a valid repository name are
    /// not repositories (and are not searched further); a layout's `blobs/` is never entered. A symbolic link to
    /// a directory inside the root is an alias: the repositories under it are listed under both names.
    public func repositories() -> [String] {
        if let backend { return (try? backend.repositories()) ?? [] }
        guard let realRoot = Store.realPath(root) else { return [] }
        var names: [String] = []
        var ancestors: Set<FileID> = []
        if let id = FileID(root) { ancestors.insert(id) }
        collect(directory: root, name: "", realRoot: realRoot, ancestors: &ancestors, into: &names)
        return names.sorted()
    }

    /// `repositories()`, with a backend's failure to list them thrown rather than taken for none (a registry's
    /// catalog must not say "empty" for a bucket it could not list).
    /// - Throws: the backend's I/O errors.
    public func listedRepositories() throws(LayoutError) -> [String] {
        if let backend { return try backend.repositories() }
        return repositories()
    }

    /// The layout of a repository.
    /// - Parameters:
    ///   - name: the repository name, e.g. `team/app`.
    ///   - create: create the layout (and its parent directories) when it does not exist.
    /// - Throws: `LayoutError.invalidName` (NAME_INVALID) for a name outside the grammar, with a reserved or
    ///   dot component, or that leads outside the root through a symbolic link; `.notALayout` (NAME_UNKNOWN)
    ///   when the repository does not exist and `create` is false.
    public func layout(for name: String, create: Bool = false) throws(LayoutError) -> OCILayout {
        try Store.validate(name)
        if let backend { return try Store.layout(for: name, in: backend, create: create) }
        let path = root + "/" + name
        guard isInsideRoot(path) else {
            throw .invalidName(name, reason: "it leads outside the store through a symbolic link")
        }
        if !create || FileSystem.fileSize(path + "/oci-layout") != nil {
            // A repository of the store that does not exist is unknown, whatever is missing on disk.
            do { return try OCILayout(at: path) } catch .layoutMissing { throw .notALayout(path) }
        }
        return try OCILayout.create(at: path, inNamespace: isNamespace(path))
    }

    /// A repository of a backend: it exists once it has an index.json, which `create` writes (empty) when missing.
    private static func layout(for name: String, in backend: any RepositoryBackend, create: Bool)
        throws(LayoutError) -> OCILayout
    {
        let layout = OCILayout(storage: backend.storage(for: name), location: backend.location + "/" + name)
        guard try !backend.hasRepository(name) else { return layout }
        guard create else { throw .notALayout(layout.path) }
        // Another writer creating it at the same moment wins the compare-and-swap: the index exists either way.
        _ = try layout.writeIndex(ImageIndex(manifests: []), replacing: nil)
        return layout
    }

    /// Checks that `name` can be a repository of a store.
    /// - Throws: `LayoutError.invalidName`.
    public static func validate(_ name: String) throws(LayoutError) {
        try Names.validateRepository(name)
        for component in name.split(separator: "/") {
            if component.hasPrefix(".") {
                throw .invalidName(name, reason: "component '\(component)' starts with '.'")
            }
            if reservedComponents.contains(String(component)) {
                throw .invalidName(
                    name, reason: "component '\(component)' is reserved: it would collide with a layout's own files")
            }
        }
    }

    /// Whether `path` is a non-empty directory holding only other repositories' directories (as `team` holds
    /// `team/app`): it can become a repository too, as registries allow both `team` and `team/app`.
    private func isNamespace(_ path: String) -> Bool {
        let entries = FileSystem.list(path)
        return !entries.isEmpty
            && entries.allSatisfy { entry in
                !Store.reservedComponents.contains(entry) && FileSystem.isDirectory(path + "/" + entry)
                    && (entry == ".ocitool" || (try? Names.validateRepository(entry)) != nil)
            }
    }

    private func collect(
        directory: String, name: String, realRoot: String, ancestors: inout Set<FileID>, into names: inout [String]
    ) {
        for entry in FileSystem.list(directory).sorted() {
            guard !entry.hasPrefix("."), !Store.reservedComponents.contains(entry) else { continue }
            let child = directory + "/" + entry
            let childName = name.isEmpty ? entry : name + "/" + entry
            guard FileSystem.isDirectory(child), (try? Names.validateRepository(childName)) != nil else { continue }
            if Store.isSymbolicLink(child) {
                guard let real = Store.realPath(child), real.hasPrefix(realRoot + "/") else { continue }
            }
            // A link back to a directory being walked would loop.
            guard let id = FileID(child), ancestors.insert(id).inserted else { continue }
            defer { ancestors.remove(id) }
            if FileSystem.fileSize(child + "/oci-layout") != nil { names.append(childName) }
            collect(directory: child, name: childName, realRoot: realRoot, ancestors: &ancestors, into: &names)
        }
    }

    /// Whether the deepest existing ancestor of `path` (or `path` itself) resolves inside the root.
    private func isInsideRoot(_ path: String) -> Bool {
        guard let realRoot = Store.realPath(root) else { return true }  // nothing exists yet: nothing to escape
        var existing = path
        while Store.realPath(existing) == nil, existing.count > root.count {
            existing = FileSystem.parentDirectory(of: existing)
        }
        guard let real = Store.realPath(existing) else { return false }
        return real == realRoot || real.hasPrefix(realRoot == "/" ? "/" : realRoot + "/")
    }

    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    private static func isSymbolicLink(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFLNK
    }

    /// A directory's identity, to detect symbolic links that loop.
    private struct FileID: Hashable {
        let device: UInt64
        let inode: UInt64

        init?(_ path: String) {
            var info = stat()
            guard stat(path, &info) == 0 else { return nil }
            device = UInt64(info.st_dev)
            inode = UInt64(info.st_ino)
        }
    }
}
