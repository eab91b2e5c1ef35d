// SPDX-License-Identifier: Apache-2.0
public import Foundation

extension OCILayout {
    /// Stores a manifest byte for byte and lists it in index.json, tagged when `tag` is given.
    ///
    /// Everything it references (config, layers, child manifests) must already be in the layout with the
    /// declared size; the subject need not be (a referrer may arrive before its subject).
    /// - Parameters:
    ///   - bytes: the exact manifest bytes; the digest covers them.
    ///   - mediaType: the declared media type (Content-Type or descriptor), if any.
    ///   - tag: the tag to point at it.
    ///   - expected: the digest the bytes must have, if known.
    /// - Returns: the manifest's descriptor as index.json lists it (without the tag annotation).
    @discardableResult
    public func putManifest(_ bytes: Data, mediaType: MediaType? = nil, tag: String? = nil, expected: Digest? = nil)
        throws(LayoutError) -> Descriptor
    {
        if let tag { try Names.validateTag(tag) }  // a bad tag is reported before a bad manifest
        return try putManifest(Manifest(bytes: bytes, declared: mediaType), tag: tag, expected: expected)
    }

    /// `putManifest(_:mediaType:tag:expected:)` for a manifest already parsed (its exact bytes are stored).
    @discardableResult
    public func putManifest(_ manifest: Manifest, tag: String? = nil, expected: Digest? = nil)
        throws(LayoutError) -> Descriptor
    {
        if let tag { try Names.validateTag(tag) }
        try checkReferences(of: manifest)
        let (digest, size) = try writeBlob(manifest.bytes, expected: expected)
        let descriptor = manifest.indexEntry(digest: digest, size: size)
        try updateIndex { (index) throws(LayoutError) in
            // Checked again under the lock gc holds while it sweeps, through child manifests: what is present
            // now stays until listed.
            try checkClosure(of: manifest)
            if let tag { index.setTag(tag, to: descriptor) } else { index.addUntagged(descriptor) }
        }
        return descriptor
    }

    /// Checks that every blob and child manifest `manifest` references is present with the declared size.
    /// - Throws: `LayoutError.manifestBlobUnknown` or `.sizeMismatch`.
    public func checkReferences(of manifest: Manifest) throws(LayoutError) {
        for reference in manifest.references {
            guard let size = blobSize(reference.digest) else {
                // Foreign layers may live only at their URLs.
                if reference.urls?.isEmpty == false { continue }
                throw .manifestBlobUnknown(reference.digest)
            }
            guard size == reference.size else {
                throw .sizeMismatch(reference.digest, expected: reference.size, actual: size)
            }
        }
    }

    /// `checkReferences` for a manifest and, for an index, every child manifest's own references, recursively.
    func checkClosure(of manifest: Manifest) throws(LayoutError) {
        try checkReferences(of: manifest)
        for child in manifest.references where child.mediaType.isManifest {
            try checkClosure(of: try Manifest(bytes: try readBlob(child.digest), declared: child.mediaType))
        }
    }

    /// Finds a manifest's descriptor: by tag, by digest, or, with no selector, the layout's only manifest.
    /// - Throws: `.manifestNotFound`, or `.invalidArgument` when no selector is given and the layout holds
    ///   several images.
    public func resolve(_ selector: ImageReference.Selector?) throws(LayoutError) -> Descriptor {
        let index = try readIndex()
        switch selector {
        case .tag(let tag):
            guard let entry = index.entry(tagged: tag) else { throw .manifestNotFound("\(path):\(tag)") }
            return entry
        case .digest(let digest):
            if let entry = index.entries(for: digest).first { return entry }
            // A child of an index: not listed in index.json, but present as a blob.
            guard blobSize(digest) != nil else { throw .manifestNotFound("\(path)@\(digest)") }
            let manifest = try Manifest(bytes: try readBlob(digest))
            return Descriptor(mediaType: manifest.mediaType, digest: digest, size: Int64(manifest.bytes.count))
        case nil:
            let roots = Set(index.manifests.filter { $0.annotations?[Annotation.subject] == nil }.map(\.digest))
            guard roots.count == 1, let only = index.manifests.first(where: { $0.digest == roots.first }) else {
                throw .invalidArgument(
                    roots.isEmpty
                        ? "\(path) holds no image"
                        : "\(path) holds \(roots.count) images: name one as \(path):TAG or \(path)@DIGEST")
            }
            return only
        }
    }

    /// Reads and parses the manifest a descriptor points at, verifying its digest.
    public func manifest(_ descriptor: Descriptor) throws(LayoutError) -> Manifest {
        let bytes: Data
        do { bytes = try readBlob(descriptor.digest) } catch .blobNotFound(let digest) {
            throw .manifestNotFound("\(path)@\(digest)")
        }
        return try Manifest(bytes: bytes, declared: descriptor.mediaType.isManifest ? descriptor.mediaType : nil)
    }

    /// Points `tag` at an existing manifest.
    /// - Returns: the digest the tag pointed at before, when it moved from another manifest.
    @discardableResult
    public func tag(_ tag: String, to descriptor: Descriptor) throws(LayoutError) -> Digest? {
        try Names.validateTag(tag)
        return try updateIndex { (index) throws(LayoutError) -> Digest? in
            // Under the lock gc holds while it sweeps: the manifest must still be there to be tagged.
            guard blobSize(descriptor.digest) == descriptor.size else {
                throw .manifestNotFound("\(path)@\(descriptor.digest)")
            }
            var entry = index.entries(for: descriptor.digest).first ?? descriptor
            entry.annotations?.removeValue(forKey: Annotation.refName)
            return index.setTag(tag, to: entry)
        }
    }

    /// Removes a tag; the manifest stays listed untagged until `gc --untagged`.
    /// - Throws: `.manifestNotFound` when the tag does not exist.
    @discardableResult
    public func untag(_ tag: String) throws(LayoutError) -> Descriptor {
        try updateIndex { (index) throws(LayoutError) -> Descriptor in
            guard let removed = index.removeTag(tag) else { throw .manifestNotFound("\(path):\(tag)") }
            return removed
        }
    }

    /// Removes a manifest from index.json with all its tags; its blobs go at the next `gc`.
    /// - Returns: the tags that pointed at it.
    @discardableResult
    public func removeManifest(_ digest: Digest) throws(LayoutError) -> [String] {
        try updateIndex { (index) throws(LayoutError) -> [String] in
            guard !index.entries(for: digest).isEmpty else { throw .manifestNotFound("\(path)@\(digest)") }
            return index.removeManifest(digest)
        }
    }

    /// Removes a manifest with everything that refers to it: its referrers (signatures, SBOMs, attestations) and
    /// theirs, in one index.json update. Their blobs stay until gc.
    /// - Returns: the manifest's tags and the referrers removed (subjects before their referrers).
    /// - Throws: `.manifestNotFound` when index.json does not list the manifest.
    public func removeManifestWithReferrers(_ digest: Digest) throws(LayoutError)
        -> (tags: [String], referrers: [Descriptor])
    {
        let referrers = try referrerEdges(of: [digest]).map(\.referrer)
        let tags = try updateIndex { (index) throws(LayoutError) -> [String] in
            guard !index.entries(for: digest).isEmpty else { throw .manifestNotFound("\(path)@\(digest)") }
            for referrer in referrers { _ = index.removeManifest(referrer.digest) }
            return index.removeManifest(digest)
        }
        return (tags, referrers)
    }
}
