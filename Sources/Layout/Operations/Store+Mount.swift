// SPDX-License-Identifier: Apache-2.0

/// Cross-repository blob mounts: a blob another repository of the store holds is linked in, not uploaded.
///
/// Spec:
/// https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md#mounting-a-blob-from-another-repository
extension Store {
    /// Makes a blob present in a repository without uploading it.
    ///
    /// With `source`, the blob comes from that repository (a hard link, or a verified copy across filesystems).
    /// Without it, from anywhere in the store: the pool first, then every repository. The target repository is
    /// created only when the blob is found.
    /// - Parameters:
    ///   - digest: the blob.
    ///   - name: the repository that gets it.
    ///   - source: the repository to take it from, if the client named one.
    /// - Returns: whether the repository now has the blob; false when it was not found (the client uploads it).
    /// - Throws: `LayoutError.invalidName` for an invalid `name` or `source`; I/O errors.
    public func mountBlob(_ digest: Digest, into name: String, from source: String?) throws(LayoutError) -> Bool {
        try Store.validate(name)
        if let existing = try? layout(for: name), existing.blobSize(digest) != nil { return true }
        if let source {
            try Store.validate(source)
            let origin: OCILayout
            do { origin = try layout(for: source) } catch .notALayout { return false }
            guard origin.blobSize(digest) != nil else { return false }
            let target = try layout(for: name, create: true)
            try target.copyBlob(digest, from: origin, verifyingLinks: false)
            addToPool(digest, from: target)
            return target.blobSize(digest) != nil
        }
        if pooledSize(digest) != nil {
            let target = try layout(for: name, create: true)
            if try linkFromPool(digest, into: target) { return true }
        }
        // Blobs the CLI wrote are not pooled: look through the repositories. A store holds only blobs verified
        // when they were stored, so links need not read them again.
        for repository in repositories() where repository != name {
            guard let origin = try? layout(for: repository), origin.blobSize(digest) != nil else { continue }
            let target = try layout(for: name, create: true)
            try target.copyBlob(digest, from: origin, verifyingLinks: false)
            addToPool(digest, from: target)
            return true
        }
        return false
    }
}
