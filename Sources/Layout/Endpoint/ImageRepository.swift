// SPDX-License-Identifier: Apache-2.0

/// Capability: an endpoint whose images can be re-tagged and deleted where they are, a layout
/// (`LayoutEndpoint`) or a registry repository (Sync's `RemoteRegistry`). Archives are written whole and
/// are not repositories. `ImageEndpoint.repository` opens one from a reference; `attach` (in
/// `ImageRepository+Attach.swift`) adds an artifact to an image of one.
///
/// Calls block their thread; errors are the endpoint's own (`LayoutError`, Sync's `SyncError`).
public protocol ImageRepository: ImageSource, ImageDestination {
    /// Points `tag` at a manifest already here.
    /// - Returns: the digest the tag pointed at before, when it moved from another manifest.
    /// - Throws: `LayoutError.invalidTag`; a not-found error when the manifest is not here.
    @discardableResult
    func tag(_ tag: String, to descriptor: Descriptor) throws -> Digest?

    /// Removes a tag; the manifest stays, by digest (a layout lists it untagged until `gc --untagged`).
    /// - Returns: the descriptor the tag pointed at.
    /// - Throws: a not-found error when there is no such tag; a registry that does not allow deleting tags
    ///   says so.
    @discardableResult
    func untag(_ tag: String) throws -> Descriptor

    /// Deletes a manifest with every tag on it; what it references stays until garbage collection, and so do
    /// its referrers (untagged).
    /// - Returns: the tags that pointed at it, when the repository knows them (a registry does not say: nil).
    /// - Throws: a not-found error when the manifest is not here.
    @discardableResult
    func deleteManifest(_ digest: Digest) throws -> [String]?

    /// Deletes a manifest and, with `withReferrers`, everything that refers to it (its signatures, SBOMs and
    /// attestations, and theirs), found by the referrer walk. The default deletes the referrers deepest first,
    /// then the manifest, so a failure leaves the image in place for another try.
    /// - Returns: what was deleted, and how many referrers were left behind.
    func removeImage(_ digest: Digest, withReferrers: Bool) throws -> ImageRemoval
}

/// What `ImageRepository.removeImage` deleted.
public struct ImageRemoval: Sendable, Hashable, Codable {
    /// The manifest deleted.
    public var digest: Digest
    /// The tags that pointed at it, when the repository says (nil for a registry).
    public var tags: [String]?
    /// The referrers deleted with it (subjects before their referrers).
    public var referrers: [Descriptor]
    /// The referrers left behind (at every depth), when they were not deleted.
    public var referrersLeft: Int

    public init(digest: Digest, tags: [String]?, referrers: [Descriptor], referrersLeft: Int) {
        self.digest = digest
        self.tags = tags
        self.referrers = referrers
        self.referrersLeft = referrersLeft
    }
}

extension ImageRepository {
    public func removeImage(_ digest: Digest, withReferrers: Bool) throws -> ImageRemoval {
        var referrers: [Descriptor] = []
        try walkReferrers(of: [digest], artifactTypes: []) { (_, referrer) in
            referrers.append(referrer.descriptor)
            return true
        }
        guard withReferrers else {
            let tags = try deleteManifest(digest)
            return ImageRemoval(digest: digest, tags: tags, referrers: [], referrersLeft: referrers.count)
        }
        for referrer in referrers.reversed() { try deleteManifest(referrer.digest) }
        let tags = try deleteManifest(digest)
        return ImageRemoval(digest: digest, tags: tags, referrers: referrers, referrersLeft: 0)
    }
}
