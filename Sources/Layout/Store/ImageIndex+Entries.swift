// SPDX-License-Identifier: Apache-2.0

/// The index.json bookkeeping rules, as pure functions on the index value.
///
/// Tags are entries carrying `org.opencontainers.image.ref.name` (the tag alone, as skopeo and umoci write it).
/// A manifest with no tag keeps one untagged entry, so referrers and digest-only pushes stay reachable.
extension ImageIndex {
    /// The entry holding `tag`.
    public func entry(tagged tag: String) -> Descriptor? {
        manifests.first { $0.refName == tag }
    }

    /// All entries for a manifest digest.
    public func entries(for digest: Digest) -> [Descriptor] {
        manifests.filter { $0.digest == digest }
    }

    /// The tags in this index, sorted.
    public var tags: [String] { manifests.compactMap(\.refName).sorted() }

    /// Points `tag` at `descriptor` (moving it if it pointed elsewhere). The manifest's untagged entry, now
    /// redundant, is dropped.
    /// - Returns: the digest the tag pointed at before, when it pointed at another manifest.
    @discardableResult
    public mutating func setTag(_ tag: String, to descriptor: Descriptor) -> Digest? {
        var entry = descriptor
        entry.annotations = (entry.annotations ?? [:]).merging([Annotation.refName: tag]) { $1 }
        let previous = self.entry(tagged: tag)
        manifests.removeAll { $0.refName == tag || ($0.digest == descriptor.digest && $0.refName == nil) }
        manifests.append(entry)
        guard let previous, previous.digest != descriptor.digest else { return nil }
        keepReachable(previous)
        return previous.digest
    }

    /// Lists a manifest without a tag, unless some entry already lists it.
    public mutating func addUntagged(_ descriptor: Descriptor) {
        guard !manifests.contains(where: { $0.digest == descriptor.digest }) else { return }
        var entry = descriptor
        entry.annotations?.removeValue(forKey: Annotation.refName)
        if entry.annotations?.isEmpty == true { entry.annotations = nil }
        manifests.append(entry)
    }

    /// Removes `tag`. The manifest stays listed untagged when no other entry lists it.
    /// - Returns: the entry the tag pointed at, or nil when there was no such tag.
    @discardableResult
    public mutating func removeTag(_ tag: String) -> Descriptor? {
        guard let previous = entry(tagged: tag) else { return nil }
        manifests.removeAll { $0.refName == tag }
        keepReachable(previous)
        return previous
    }

    /// Removes every entry (tagged or not) for a manifest digest.
    /// - Returns: the tags that pointed at it.
    @discardableResult
    public mutating func removeManifest(_ digest: Digest) -> [String] {
        let tags = manifests.filter { $0.digest == digest }.compactMap(\.refName)
        manifests.removeAll { $0.digest == digest }
        return tags
    }

    private mutating func keepReachable(_ previous: Descriptor) {
        guard !manifests.contains(where: { $0.digest == previous.digest }) else { return }
        addUntagged(previous)
    }
}

extension Manifest {
    /// The descriptor an index.json lists for this manifest: media type, digest, size, and for a referrer its
    /// artifact type, its annotations and its subject's digest (so referrers are found without opening
    /// manifests). Used by layouts and OCI archives alike.
    func indexEntry(digest: Digest, size: Int64) -> Descriptor {
        var descriptor = Descriptor(mediaType: mediaType, digest: digest, size: size)
        if let subject {
            descriptor.artifactType = artifactType
            var annotations = self.annotations ?? [:]
            annotations.removeValue(forKey: Annotation.refName)
            annotations[Annotation.subject] = subject.digest.description
            descriptor.annotations = annotations
        }
        return descriptor
    }
}
