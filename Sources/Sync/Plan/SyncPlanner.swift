// SPDX-License-Identifier: Apache-2.0
public import Layout

/// Plans a repository sync, tag by tag, at the cost of lookups only:
/// - the source tag is looked up (a registry: one `HEAD`), and for an index copied without `all` the index
///   is fetched to know which digest a copy stores (the platform's image, or the filtered index);
/// - the destination tag is looked up (one `HEAD`); a tag holding another digest, or none, is copied;
/// - a tag already holding that digest is skipped when, with referrers on, every referrer of the manifest at
///   the source (of the selected artifact types, then theirs, recursively) is listed at the destination too
///   (two referrer listings per manifest, each remembered for the run: tags sharing a digest cost nothing
///   more); a missing referrer makes the tag a copy, which transfers only what is missing.
///
/// For an index, the referrers of its children (a signature added later to one platform's image) are
/// compared too: the index is read once from the destination (one manifest GET per distinct index in the
/// run), then each child costs the same two referrer listings. The destination is trusted to hold everything
/// a manifest it lists references (registries refuse manifests whose blobs are missing; `ocitool fsck`
/// checks a layout).
public struct SyncPlanner: Sendable {
    /// Where tags are read.
    public let source: any ImageSource & TagCatalog
    /// Where they go; nil for a destination that does not exist yet (every tag is new).
    public let destination: (any ImageSource & TagCatalog)?
    /// Platforms, referrers and artifact types as the copy will use them; `jobs` lookups run at once.
    public let options: CopyOptions
    /// Look destination tags up as a writer (a registry's push scope, which the copy needs next); false for a
    /// dry run, which needs only pull access.
    public let forWriting: Bool

    public init(
        source: any ImageSource & TagCatalog, destination: (any ImageSource & TagCatalog)?, options: CopyOptions,
        forWriting: Bool = true
    ) {
        self.source = source
        self.destination = destination
        self.options = options
        self.forWriting = forWriting
    }

    /// The source's tags the filter keeps, in the filter's order.
    /// - Throws: `.notFound` when the source repository does not exist; listing errors.
    public func tags(_ filter: TagFilter) throws(SyncError) -> [String] {
        filter.apply(try source.listTags())
    }

    /// One item per tag, in the order given; a tag whose lookups fail gets `.fail` (the others are planned).
    public func plan(_ tags: [String]) -> [SyncPlanItem] {
        let results = Locked<[SyncPlanItem?]>(Array(repeating: nil, count: tags.count))
        let checked = Locked<[Digest: Bool]>([:])
        let trees = Locked<[Digest: Bool]>([:])
        let planner = self
        try? WorkerPool.run(Array(tags.enumerated()), jobs: options.jobs) { (entry) in
            let item = planner.plan(entry.element, checked: checked, trees: trees)
            results.withLock { $0[entry.offset] = item }
        }
        return results.current.enumerated().map { offset, item in
            item ?? SyncPlanItem(tag: tags[offset], action: .fail(.cancelled))
        }
    }

    private func plan(_ tag: String, checked: Locked<[Digest: Bool]>, trees: Locked<[Digest: Bool]>) -> SyncPlanItem {
        var item = SyncPlanItem(tag: tag, action: .copy(.new))
        do throws(SyncError) {
            guard let descriptor = try source.lookupTag(tag, forWriting: false) else {
                throw .notFound("tag \(tag) not found in \(source)")
            }
            item.source = descriptor
            let target = try endpointCall { try ImageCopy.target(of: descriptor, in: source, options: options) }
            item.target = target
            guard let destination, let current = try destination.lookupTag(tag, forWriting: forWriting) else { return item }
            item.current = current.digest
            guard current.digest == target else {
                item.action = .copy(.changed)
                return item
            }
            if options.referrers,
                try !referrersPresent(below: current, at: destination, checked: checked, trees: trees)
            {
                item.action = .copy(.referrers)
                return item
            }
            item.action = .skip
        } catch {
            item.action = .fail(error)
        }
        return item
    }

    /// Whether the referrers of `manifest` and, for an index, of every manifest below it (read from the
    /// destination, which holds the same bytes) are all at the destination. Answers are remembered per digest.
    private func referrersPresent(
        below manifest: Descriptor, at destination: any ImageSource, checked: Locked<[Digest: Bool]>,
        trees: Locked<[Digest: Bool]>
    ) throws(SyncError) -> Bool {
        guard try referrersPresent(manifest.digest, at: destination, checked: checked) else { return false }
        guard manifest.mediaType.isIndex else { return true }
        if let known = trees.withLock({ $0[manifest.digest] }) { return known }
        var present = true
        if case .index(let index) = try endpointCall({ try destination.manifest(manifest) }).kind {
            for child in index.manifests {
                guard try referrersPresent(below: child, at: destination, checked: checked, trees: trees) else {
                    present = false
                    break
                }
            }
        }
        trees.withLock { $0[manifest.digest] = present }
        return present
    }

    /// Whether every referrer of `subject` at the source (of the selected artifact types at the first level)
    /// is at the destination, with its own referrers, recursively. Answers are remembered per subject.
    private func referrersPresent(
        _ subject: Digest, at destination: any ImageSource, checked: Locked<[Digest: Bool]>
    ) throws(SyncError) -> Bool {
        if let known = checked.withLock({ $0[subject] }) { return known }
        // The destination's referrers of each subject the walk passes, read once it has a referrer to look for.
        var held: [Digest: Set<Digest>] = [:]
        var present = true
        try endpointCall {
            try source.walkReferrers(of: [subject], artifactTypes: options.artifactTypes) { (parent, referrer) in
                if held[parent] == nil {
                    held[parent] = Set(try destination.referrers(of: parent).map(\.descriptor.digest))
                }
                present = held[parent]?.contains(referrer.descriptor.digest) ?? false
                return present
            }
        }
        checked.withLock { $0[subject] = present }
        return present
    }
}
