// SPDX-License-Identifier: Apache-2.0
import Foundation

/// Registry deletes: a manifest by digest, a blob, from one repository of the store.
///
/// Spec: https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md#content-management
extension Store {
    /// Deletes a manifest from a repository: every index.json entry for it goes (with its tags), and so does its
    /// blob unless a listed index still holds it as a child. What it referenced stays until `gc`.
    ///
    /// Runs with the repository's writers serialized (its lock on the file system), so a concurrent push of the
    /// same manifest either lands before (and is deleted) or after (and stays whole).
    /// - Throws: `.manifestNotFound` when the repository has no such manifest; `.unsupported` when it is only
    ///   present as the child of a listed index (delete the index first); `.notALayout` for an unknown repository.
    public func deleteManifest(_ digest: Digest, repository name: String) throws(LayoutError) {
        let layout = try layout(for: name)
        try layout.storage.serializingWriters { () throws(LayoutError) in
            try deleteManifestSerialized(digest, repository: name, layout: layout)
        }
    }

    private func deleteManifestSerialized(_ digest: Digest, repository name: String, layout: OCILayout)
        throws(LayoutError)
    {
        let (read, version) = try layout.readVersionedIndex()
        var index = read
        let listed = !index.entries(for: digest).isEmpty
        guard listed || layout.blobSize(digest) != nil else { throw .manifestNotFound("\(name)@\(digest)") }
        if listed {
            index.removeManifest(digest)
        } else if (try? Manifest(bytes: layout.readBlob(digest))) == nil {
            throw .manifestNotFound("\(name)@\(digest)")
        }
        let parent = try listedParent(of: digest, in: index, layout: layout)
        if !listed, let parent {
            throw .unsupported(
                "manifest \(digest) is part of index \(parent) in \(name): delete the index first")
        }
        if listed { try layout.replaceIndex(index, at: version) }
        if parent == nil { try layout.removeBlob(digest) }
    }

    /// Deletes a blob from a repository only (other repositories and the pool keep their links). A blob that a
    /// listed manifest is or uses stays: deleting it would leave index.json pointing at missing content.
    ///
    /// Runs with the repository's writers serialized (its lock on the file system), so a manifest push that lands
    /// first protects its blobs.
    /// - Throws: `.blobNotFound`; `.unsupported` for a blob in use (delete the manifest first); `.notALayout`
    ///   for an unknown repository.
    public func deleteBlob(_ digest: Digest, repository name: String) throws(LayoutError) {
        let layout = try layout(for: name)
        try layout.storage.serializingWriters { () throws(LayoutError) in
            guard layout.blobSize(digest) != nil else { throw .blobNotFound(digest) }
            let index = try layout.readIndex()
            if !index.entries(for: digest).isEmpty {
                throw .unsupported(
                    "\(digest) is a manifest in \(name): delete it with DELETE /v2/\(name)/manifests/\(digest)")
            }
            if let user = listedUser(of: digest, in: index, layout: layout) {
                throw .unsupported(
                    "blob \(digest) is used by manifest \(user) in \(name): delete that manifest first")
            }
            try layout.removeBlob(digest)
        }
    }

    /// A listed manifest that uses `digest` as its config, a layer or (through an index) a child's blob. Manifests
    /// that cannot be read are passed over: a delete must not fail on content fsck would report anyway.
    private func listedUser(of digest: Digest, in index: ImageIndex, layout: OCILayout) -> Digest? {
        var pending = index.manifests.map { (listed: $0.digest, descriptor: $0) }
        var seen: Set<Digest> = []
        while let (listed, descriptor) = pending.popLast() {
            guard seen.insert(descriptor.digest).inserted, let manifest = try? layout.manifest(descriptor) else {
                continue
            }
            switch manifest.kind {
            case .image(let image):
                if ([image.config] + image.layers).contains(where: { $0.digest == digest }) { return listed }
            case .index(let children):
                if children.manifests.contains(where: { $0.digest == digest }) { return listed }
                pending += children.manifests.map { (listed, $0) }
            }
        }
        return nil
    }

    /// The listed index that holds `digest` as a child, if any.
    private func listedParent(of digest: Digest, in index: ImageIndex, layout: OCILayout) throws(LayoutError)
        -> Digest?
    {
        for entry in index.manifests where entry.mediaType.isIndex && entry.digest != digest {
            guard let manifest = try? layout.manifest(entry) else { continue }
            if manifest.references.contains(where: { $0.digest == digest }) { return entry.digest }
        }
        return nil
    }
}
