// SPDX-License-Identifier: Apache-2.0
public import Layout

/// A registry repository's tags and manifests, as `crane tag`, `regctl tag delete` and `regctl image delete`
/// change them.
extension RemoteRegistry: ImageRepository {
    /// Pushes the manifest's exact bytes under the tag (nothing moves when it is already there).
    @discardableResult
    public func tag(_ tag: String, to descriptor: Descriptor) throws(SyncError) -> Digest? {
        try layoutCall { () throws(LayoutError) in try Names.validateTag(tag) }
        let previous = try client.manifestDescriptor(repository, .tag(tag), forPush: true)?.digest
        if previous == descriptor.digest { return nil }
        let manifest = try client.fetchManifest(repository, .digest(descriptor.digest), forPush: true).manifest
        try client.pushManifest(repository, manifest, reference: .tag(tag))
        return previous
    }

    /// `DELETE` of the tag; a registry that does not allow deleting tags says so (`SyncError.unsupported`).
    @discardableResult
    public func untag(_ tag: String) throws(SyncError) -> Descriptor {
        let missing = SyncError.notFound("tag \(tag) not found in \(client.registry)/\(repository)")
        guard let descriptor = try client.manifestDescriptor(repository, .tag(tag), forPush: true) else { throw missing }
        guard try client.deleteManifest(repository, .tag(tag)) else { throw missing }
        return descriptor
    }

    /// `DELETE` by digest: the registry drops the manifest and the tags on it (which it does not report: nil).
    /// The manifest leaves its subject's fallback tag index, and its own fallback tag index goes (its
    /// referrers stay, untagged, as in a layout).
    @discardableResult
    public func deleteManifest(_ digest: Digest) throws(SyncError) -> [String]? {
        let subject = try client.fetchManifest(repository, .digest(digest), forPush: true).manifest.subject
        let fallback = try client.manifestDescriptor(repository, .tag(digest.referrersTag), forPush: true)
        guard try client.deleteManifest(repository, .digest(digest)) else {
            throw .notFound("manifest \(digest) not found in \(client.registry)/\(repository)")
        }
        if let fallback { try client.deleteManifest(repository, .digest(fallback.digest)) }
        if let subject { try client.removeFromReferrersFallback(repository, subject: subject.digest, referrer: digest) }
        return nil
    }
}
