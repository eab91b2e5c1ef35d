// SPDX-License-Identifier: Apache-2.0
public import Layout

/// A repository whose tags can be listed and looked up one by one: a registry repository (`RemoteRegistry`)
/// or a layout (`LayoutEndpoint`). What a sync plans with.
///
/// Calls block their thread; they may be called from several threads at once.
public protocol TagCatalog: Sendable {
    /// Every tag of the repository.
    /// - Throws: `.notFound` when the repository does not exist.
    func listTags() throws(SyncError) -> [String]

    /// The manifest a tag points at (media type, digest, size), or nil when there is no such tag (or no such
    /// repository yet).
    /// - Parameter forWriting: the caller is about to write (a registry asks for the push scope at once).
    func lookupTag(_ tag: String, forWriting: Bool) throws(SyncError) -> Descriptor?
}

extension RemoteRegistry: TagCatalog {
    /// The registry's tag list, every page.
    public func listTags() throws(SyncError) -> [String] {
        try client.listTags(repository)
    }

    /// `HEAD /v2/NAME/manifests/TAG`: one request.
    public func lookupTag(_ tag: String, forWriting: Bool) throws(SyncError) -> Descriptor? {
        try client.manifestDescriptor(repository, .tag(tag), forPush: forWriting)
    }
}

extension LayoutEndpoint: TagCatalog {
    /// The tags index.json lists, sorted.
    public func listTags() throws(SyncError) -> [String] {
        try layoutCall { () throws(LayoutError) in try layout.readIndex().tags }
    }

    /// The index.json entry for the tag (its ref name annotation dropped).
    public func lookupTag(_ tag: String, forWriting: Bool) throws(SyncError) -> Descriptor? {
        guard var entry = try layoutCall({ () throws(LayoutError) in try layout.readIndex() }).entry(tagged: tag) else {
            return nil
        }
        entry.annotations?.removeValue(forKey: Annotation.refName)
        if entry.annotations?.isEmpty == true { entry.annotations = nil }
        return entry
    }
}
