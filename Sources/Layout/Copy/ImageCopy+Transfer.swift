// SPDX-License-Identifier: Apache-2.0

/// The manifests and blobs a set of manifests needs, each once: blobs (configs, layers) and manifests in
/// dependency order (children before their index), read through `ImageSource`. The only closure walk: copy,
/// export and sync all go through it.
struct ClosurePlan {
    private(set) var blobs: [Descriptor] = []
    private(set) var manifests: [(descriptor: Descriptor, manifest: Manifest)] = []
    private var seen: Set<Digest> = []

    /// Adds a manifest (already fetched) and everything it references, fetching child manifests.
    mutating func add(_ descriptor: Descriptor, _ manifest: Manifest, from source: any ImageSource) throws {
        guard seen.insert(descriptor.digest).inserted else { return }
        switch manifest.kind {
        case .image(let image):
            for blob in [image.config] + image.layers where seen.insert(blob.digest).inserted { blobs.append(blob) }
        case .index(let index):
            for child in index.manifests where !seen.contains(child.digest) {
                try add(child, try source.manifest(child), from: source)
            }
        }
        manifests.append((descriptor, manifest))
    }
}

extension CopyRun {
    /// Transfers a plan's blobs in parallel, then stores its manifests in order: children as `.child`, the
    /// last one (the root the plan was made for) in `topRole`.
    /// - Returns: whether the destination did not have the root before.
    @discardableResult
    func transfer(_ plan: ClosurePlan, topRole: ManifestRole = .child) throws -> Bool {
        try transferBlobs(plan.blobs)
        var stored = false
        for (position, entry) in plan.manifests.enumerated() {
            let role = position == plan.manifests.count - 1 ? topRole : .child
            stored = try putManifest(entry.manifest, digest: entry.descriptor.digest, as: role)
        }
        return stored
    }

    /// Each blob not handled yet in this run: skipped when the destination has it, else put (mounted, linked
    /// or streamed), at most `jobs` at once. A foreign layer (with `urls`) the source does not hold is left
    /// out, as Layout does.
    func transferBlobs(_ blobs: [Descriptor]) throws {
        let pending = handled.withLock { (handled) in blobs.filter { handled.insert($0.digest).inserted } }
        let source = self.source
        let destination = self.destination
        let progress = options.progress
        let counters = self.counters
        let handled = self.handled
        do {
            try WorkerPool.run(pending, jobs: options.jobs) { (blob) in
                if try destination.hasBlob(blob) {
                    counters.withLock { $0.blobsSkipped += 1 }
                    return
                }
                let transfer: BlobTransfer
                do { transfer = try destination.putBlob(blob, from: source, progress: progress) } catch {
                    if blob.urls?.isEmpty == false, error.isEndpointNotFound { return }
                    throw error
                }
                counters.withLock {
                    $0.blobsCopied += 1
                    $0.bytesCopied += blob.size
                    if transfer == .mounted { $0.blobsMounted += 1 }
                    if transfer == .linked { $0.blobsLinked += 1 }
                }
            }
        } catch {
            // Not known to be at the destination after all.
            handled.withLock { $0.subtract(pending.map(\.digest)) }
            throw error
        }
    }
}
