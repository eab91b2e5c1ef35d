// SPDX-License-Identifier: Apache-2.0
public import Layout

extension RemoteRegistry: ImageDestination {
    /// `HEAD` on the blob: present with the descriptor's size (or a size the registry does not state).
    public func hasBlob(_ descriptor: Descriptor) throws(SyncError) -> Bool {
        guard let size = try client.blobSize(repository, descriptor.digest, forPush: true) else { return false }
        return size == descriptor.size || size < 0
    }

    /// Mounts from the source's repository when the source is another repository of the same registry
    /// (its `mountOrigin`), else uploads from the source's stream. A chunked upload from a source with a local
    /// layout keeps its session in a `ResumeRecord` of that layout (keyed by this registry, repository and the
    /// digest), so a push killed mid-blob resumes the registry's session in the next run instead of sending
    /// the blob again.
    public func putBlob(_ descriptor: Descriptor, from source: any ImageSource, progress: (@Sendable (Int64) -> Void)?)
        throws(SyncError) -> BlobTransfer
    {
        var mountFrom: String?
        if let origin = source.mountOrigin, origin.registry == client.origin, origin.repository != repository {
            mountFrom = origin.repository
        }
        let highWater = Locked<Int64>(0)
        let record = resumeRecord(for: descriptor, from: source)
        let outcome = try client.pushBlob(repository, descriptor, mountFrom: mountFrom, record: record) {
            (offset) throws(SyncError) -> any BlobStream in
            let stream: any BlobStream
            do { stream = try source.openBlob(descriptor, from: offset) } catch { throw SyncError(error) }
            return ProgressStream(stream, offset: offset, highWater: highWater, progress: progress)
        }
        if outcome == .mounted {
            progress?(descriptor.size)
            return .mounted
        }
        return .copied
    }

    /// The record a chunked upload from a layout keeps its session in; nil for other sources, small blobs, or
    /// when another run holds the record or the layout cannot keep one (the upload then just does not
    /// outlive this run).
    private func resumeRecord(for descriptor: Descriptor, from source: any ImageSource) -> ResumeRecord? {
        guard let layout = source.localLayout,
            descriptor.size >= client.configuration.chunkedUploadThreshold
        else { return nil }
        let key = "push \(client.apiHost) \(repository) \(descriptor.digest)"
        return try? ResumeRecord.open(in: layout, key: key)
    }

    /// Pushes by digest (skipped when the registry has it) or by tag. A manifest with a subject pushed to a
    /// registry that did not process it (no `OCI-Subject` in the answer) is added to the subject's fallback
    /// tag index; so is one already present, when the registry has no referrers API.
    @discardableResult
    public func putManifest(_ manifest: Manifest, digest: Digest, as role: ManifestRole) throws(SyncError) -> Bool {
        let reference: ImageReference.Selector
        switch role {
        case .child, .root:
            if try client.manifestDescriptor(repository, .digest(digest), forPush: true) != nil {
                if let subject = manifest.subject,
                    try !client.hasReferrersAPI(repository, probe: subject.digest, forPush: true)
                {
                    try client.addToReferrersFallback(repository, subject: subject.digest, referrer: entry(manifest, digest))
                }
                return false
            }
            reference = .digest(digest)
        case .tagged(let tag):
            reference = .tag(tag)
        }
        let pushed = try client.pushManifest(repository, manifest, reference: reference)
        if let subject = manifest.subject, !pushed.subjectProcessed {
            try client.addToReferrersFallback(repository, subject: subject.digest, referrer: entry(manifest, digest))
        }
        return true
    }

    /// The descriptor a referrers list holds for a manifest: media type, digest, size, artifact type,
    /// annotations.
    private func entry(_ manifest: Manifest, _ digest: Digest) -> Descriptor {
        Descriptor(
            mediaType: manifest.mediaType, digest: digest, size: Int64(manifest.bytes.count),
            annotations: manifest.annotations, artifactType: manifest.artifactType)
    }
}
