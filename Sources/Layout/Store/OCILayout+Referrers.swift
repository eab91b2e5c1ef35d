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
        let subject = digest.description
        for entry in index.manifests where entry.annotations?[Annotation.subject] == subject {
            guard seen.insert(entry.digest).inserted else { continue }
            var descriptor = entry
            descriptor.annotations?.removeValue(forKey: Annotation.subject)
            descriptor.annotations?.removeValue(forKey: Annotation.refName)
            if descriptor.annotations?.isEmpty == true { descriptor.annotations = nil }
            result.append(descriptor)
        }
        if let fallback = index.entry(tagged: digest.referrersTag),
            case .index(let list) = try manifest(fallback).kind
        {
            for descriptor in list.manifests where seen.insert(descriptor.digest).inserted {
                result.append(descriptor)
            }
        }
        guard let artifactType else { return result }
        return result.filter { $0.artifactType == artifactType }
    }
}
