// SPDX-License-Identifier: Apache-2.0

/// What an import will commit, decided before anything is written.
struct ImportPlan {
    /// The manifests to list in index.json with their tags: images first, then referrers.
    var images: [ImportCandidate]
    /// Every blob to commit, dependencies before the manifests that reference them.
    var blobs: [ArchiveFile]
    /// `docker-archive` or `oci-archive`.
    var format: String
}

extension ArchiveImporter {
    /// Applies the selection and `--tag`, pulls in referrers, and checks that no tag is claimed twice.
    func plan(_ catalog: ArchiveCatalog) throws(LayoutError) -> ImportPlan {
        let images = catalog.images
        var referrers = catalog.candidates.filter(\.isReferrer)
        if options.tag != nil || options.selection != nil {
            // Only the chosen image is tagged then; a cosign legacy referrer keeps the tag that links it.
            for position in referrers.indices {
                referrers[position].tags.removeAll { Referrer.cosignSubject(ofTag: $0) == nil }
            }
        }
        var chosen: [ImportCandidate]
        if let selection = options.selection {
            var image = try catalog.select(selection, archive: archivePath == "-" ? "standard input" : archivePath)
            switch selection {
            case .tag(let tag): image.tags = [options.tag ?? tag]
            case .dockerName(let name): image.tags = [options.tag ?? name.tag]
            }
            chosen = [image]
            chosen += Self.referrers(of: chosen, among: referrers)
        } else if let tag = options.tag {
            guard images.count == 1, var image = images.first else {
                throw .invalidArgument(
                    images.isEmpty
                        ? "the archive holds no image to tag"
                        : "the archive holds \(images.count) images: import it without a tag (each image keeps its "
                            + "own) or copy one image out of it")
            }
            image.tags = [tag]
            chosen = [image] + referrers
        } else {
            chosen = images + referrers
        }
        try Self.checkTagConflicts(chosen)
        var blobs: [ArchiveFile] = []
        var seen = Set<Digest>()
        for file in chosen.flatMap(\.closure) where seen.insert(file.digest).inserted { blobs.append(file) }
        return ImportPlan(images: chosen, blobs: blobs, format: catalog.format.rawValue)
    }

    /// The referrers whose subject (or cosign tag's image) is in the closure of `images` (or of another such
    /// referrer).
    private static func referrers(of images: [ImportCandidate], among referrers: [ImportCandidate])
        -> [ImportCandidate]
    {
        var reachable = Set(images.flatMap(\.closure).map(\.digest))
        var found: [ImportCandidate] = []
        var remaining = referrers
        func isReachable(_ candidate: ImportCandidate) -> Bool {
            candidate.subjects.contains { reachable.contains($0) }
        }
        while let next = remaining.firstIndex(where: isReachable) {
            let referrer = remaining.remove(at: next)
            found.append(referrer)
            reachable.formUnion(referrer.closure.map(\.digest))
        }
        return found
    }

    /// Two different manifests may not get the same tag.
    private static func checkTagConflicts(_ chosen: [ImportCandidate]) throws(LayoutError) {
        var owners: [String: ImportCandidate] = [:]
        for candidate in chosen {
            for tag in candidate.tags {
                if let owner = owners[tag], owner.digest != candidate.digest {
                    throw .invalidArgument(
                        "two images in the archive would both be tagged '\(tag)': \(owner.label) and "
                            + "\(candidate.label); import one of them by name: docker-archive:FILE:NAME:TAG or oci-archive:FILE:TAG")
                }
                owners[tag] = candidate
            }
        }
    }
}
