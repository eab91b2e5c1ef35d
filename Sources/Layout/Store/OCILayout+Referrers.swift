// SPDX-License-Identifier: Apache-2.0

extension OCILayout {
    /// The manifests whose `subject` is `digest`, as referrers API descriptors (media type, digest, size,
    /// artifact type, annotations), answered from index.json without opening any manifest. Referrers that
    /// other tools stored under the fallback tag (`sha256-<hex>`, an index of descriptors) are included too.
    ///
    /// Spec: https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md#listing-referrers
    /// - Parameter artifactType: keep only referrers of this artifact type.
    public func referrers(of digest: Digest, artifactType: MediaType? = nil) throws(LayoutError) -> [Descriptor] {
        let index = try readIndex()
        var seen = Set<Digest>()
        var result: [Descriptor] = []
        for entry in index.manifests {
            guard var descriptor = referrerEntry(entry, of: digest), seen.insert(entry.digest).inserted
            else { continue }
            descriptor.annotations?.removeValue(forKey: Annotation.subject)
            descriptor.annotations?.removeValue(forKey: Annotation.refName)
            if descriptor.annotations?.isEmpty == true { descriptor.annotations = nil }
            result.append(descriptor)
        }
        // The fallback index is another tool's bookkeeping: only its entries that are here, and really refer to
        // `digest`, count (a stale or broken fallback index must neither add entries nor fail the listing).
        if let fallback = index.entry(tagged: digest.referrersTag), let listed = try? manifest(fallback),
            case .index(let list) = listed.kind
        {
            for descriptor in list.manifests where !seen.contains(descriptor.digest) {
                guard (try? manifest(descriptor))?.subject?.digest == digest else { continue }
                seen.insert(descriptor.digest)
                result.append(descriptor)
            }
        }
        guard let artifactType else { return result }
        return result.filter { $0.artifactType == artifactType }
    }

    /// An index.json entry's referrer descriptor when it is a referrer of `subject`: by ocitool's annotation, or,
    /// for an untagged entry another tool wrote without it, by the manifest's own `subject` (the only case that
    /// opens a manifest; artifact type and annotations then come from the manifest).
    private func referrerEntry(_ entry: Descriptor, of subject: Digest) -> Descriptor? {
        if let annotated = entry.annotations?[Annotation.subject] {
            return annotated == subject.description ? entry : nil
        }
        guard entry.refName == nil, entry.mediaType.isManifest, blobSize(entry.digest) != nil,
            let manifest = try? manifest(entry), manifest.subject?.digest == subject
        else { return nil }  // an unreadable entry is fsck's to report, not a reason to fail the listing
        return manifest.indexEntry(digest: entry.digest, size: entry.size)
    }
}
