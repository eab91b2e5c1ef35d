// SPDX-License-Identifier: Apache-2.0
import Foundation

extension OCILayout {
    /// Removes what index.json no longer reaches.
    ///
    /// Mark: every tagged entry of index.json is a root, and so is every untagged entry that is not a referrer
    /// (unless `options.untagged`, which drops those entries). A referrer entry lives while its subject does
    /// (iterated to a fixpoint, so a signature of an SBOM of an image lives with the image); referrer entries
    /// whose subject is gone are dropped from index.json. A live image keeps its config and layers, a live index
    /// every child manifest, recursively, so a multi-arch index is never broken.
    ///
    /// Sweep: every blob under `blobs/` that is not marked is removed, except blobs modified within
    /// `options.grace` seconds (a push in flight writes blobs before its manifest is listed), which are reported
    /// as spared. Temporary files older than the grace period are removed too; resumable state (partial
    /// downloads, upload resume records) only when no copy holds it and it is older than the grace period and
    /// a day (`TemporaryFile.mayBeInFlight`).
    ///
    /// Writers are serialized (`BlobStorage.serializingWriters`: the layout's exclusive lock on the file system)
    /// from the mark to the end of the sweep, so a concurrent `tag` or `putManifest` waits rather than losing its
    /// index.json change. index.json is rewritten (atomically) before any blob is removed, so a crash at any
    /// point leaves a consistent layout.
    ///
    /// - Parameter options: dry run, grace period, untagged.
    /// - Returns: what was removed, or with `dryRun` the plan (identical to what a real run would report).
    /// - Throws: `LayoutError.verificationFailed` when a live manifest cannot be read or parsed (what it
    ///   references is unknown, so nothing is removed; run `check(repair: true)` first); I/O errors.
    @discardableResult
    public func collectGarbage(_ options: GCOptions = GCOptions()) throws(LayoutError) -> GCReport {
        try storage.serializingWriters { () throws(LayoutError) -> GCReport in try collectSerialized(options) }
    }

    /// `collectGarbage`, for a caller inside `serializingWriters`.
    private func collectSerialized(_ options: GCOptions) throws(LayoutError) -> GCReport {
        let (index, version) = try readVersionedIndex()
        let reachable = try reachability(of: index, keepUntagged: !options.untagged, grace: options.grace)
        var report = GCReport(droppedEntries: reachable.dropped, dryRun: options.dryRun)
        if !options.dryRun, !reachable.dropped.isEmpty {
            var updated = index
            updated.manifests = reachable.kept
            try replaceIndex(updated, at: version)
        }
        let now = Date()
        for digest in allBlobs().sorted() where !reachable.live.contains(digest) {
            guard let size = blobSize(digest), let modified = storage.modificationTime(of: digest) else { continue }
            if now.timeIntervalSince(modified) < options.grace {
                report.sparedYoung.append(digest)
                continue
            }
            if !options.dryRun, try !removeUnlessRefreshed(digest, grace: options.grace) {
                report.sparedYoung.append(digest)
                continue
            }
            report.removedBlobs.append(GCReport.RemovedBlob(digest: digest, size: size))
            report.bytesFreed += size
        }
        for file in temporaryFiles() where !file.mayBeInFlight(grace: options.grace, now: now) {
            let size = file.size
            if !options.dryRun, try !removeTemporaryFile(file) { continue }
            report.removedTemporaryFiles.append(file.relativePath)
            report.bytesFreed += size
        }
        return report
    }
}

/// The result of marking a layout: every live digest, and which index.json entries stay.
struct Reachability {
    /// Manifests and blobs reachable from the kept entries.
    var live = Set<Digest>()
    /// index.json entries that stay, in their order.
    var kept: [Descriptor] = []
    /// index.json entries to drop, in their order.
    var dropped: [Descriptor] = []
}

extension OCILayout {
    /// Marks everything index.json reaches (see `collectGarbage`). Reads manifests but changes nothing.
    /// Untagged entries whose manifest blob is younger than `grace` are kept: a referrer may arrive before its
    /// subject, and a digest-only push may be tagged next.
    func reachability(of index: ImageIndex, keepUntagged: Bool, grace: Double = 0) throws(LayoutError)
        -> Reachability
    {
        var result = Reachability()
        var keep = [Bool](repeating: false, count: index.manifests.count)
        var waiting: [(offset: Int, subject: Digest)] = []
        for (offset, entry) in index.manifests.enumerated() {
            if entry.refName != nil {
                keep[offset] = true
            } else if let subject = try subjectDigest(of: entry) {
                waiting.append((offset, subject))
                continue
            } else {
                keep[offset] = keepUntagged
            }
            if keep[offset] { try mark(entry, into: &result.live) }
        }
        // Referrers of live manifests live, and so do their own referrers: repeat until nothing changes.
        var progress = true
        while progress {
            progress = false
            var unresolved: [(offset: Int, subject: Digest)] = []
            for item in waiting {
                if result.live.contains(item.subject) {
                    keep[item.offset] = true
                    try mark(index.manifests[item.offset], into: &result.live)
                    progress = true
                } else {
                    unresolved.append(item)
                }
            }
            waiting = unresolved
        }
        let now = Date()
        for (offset, entry) in index.manifests.enumerated() where !keep[offset] && entry.refName == nil {
            if let modified = FileSystem.modificationTime(blobPath(entry.digest)),
                now.timeIntervalSince(modified) < grace
            {
                keep[offset] = true
                try mark(entry, into: &result.live)
            }
        }
        for (offset, entry) in index.manifests.enumerated() {
            if keep[offset] { result.kept.append(entry) } else { result.dropped.append(entry) }
        }
        return result
    }

    /// The subject of an index.json entry: its `dev.ocitool.subject` annotation, else the manifest's own
    /// `subject` field (for entries written by other tools).
    private func subjectDigest(of entry: Descriptor) throws(LayoutError) -> Digest? {
        if let text = entry.annotations?[Annotation.subject], let digest = try? Digest(text) { return digest }
        guard entry.mediaType.isManifest else { return nil }
        return try manifestForMarking(entry)?.subject?.digest
    }

    /// Marks `descriptor` and, for a manifest, everything it references (config and layers, or children).
    private func mark(_ descriptor: Descriptor, into live: inout Set<Digest>) throws(LayoutError) {
        guard live.insert(descriptor.digest).inserted, descriptor.mediaType.isManifest else { return }
        guard let manifest = try manifestForMarking(descriptor) else { return }
        for reference in manifest.references { try mark(reference, into: &live) }
    }

    /// Reads a manifest for marking: nil when it is missing (nothing to protect), an error when it is corrupt
    /// or unparseable (what it references is unknown, so sweeping would be unsafe).
    private func manifestForMarking(_ descriptor: Descriptor) throws(LayoutError) -> Manifest? {
        let bytes: Data
        do {
            bytes = try readBlob(descriptor.digest)
        } catch .blobNotFound {
            return nil
        } catch {
            throw .verificationFailed(
                "garbage collection stopped, nothing was removed: manifest \(descriptor.digest) cannot be read "
                    + "(\(error)); run 'ocitool fsck --repair' first")
        }
        if let manifest = try? Manifest(bytes: bytes, declared: descriptor.mediaType) { return manifest }
        do {
            return try Manifest(bytes: bytes)
        } catch {
            throw .verificationFailed(
                "garbage collection stopped, nothing was removed: manifest \(descriptor.digest) is invalid "
                    + "(\(error)); run 'ocitool fsck --repair' first")
        }
    }

    /// Removes a blob gc found unused and old, unless a writer refreshed it meanwhile (writers that find a blob
    /// present only touch it, without the lock). The blob is first renamed aside, so a writer touching it from
    /// then on finds it gone and writes it anew; then its mtime is read again, and a blob touched before the
    /// rename is put back.
    /// - Returns: whether the blob was removed.
    func removeUnlessRefreshed(_ digest: Digest, grace: Double) throws(LayoutError) -> Bool {
        guard fileStorage != nil else {
            // An object store's repository: its link goes; the bytes stay for the bucket-wide sweep.
            try removeBlob(digest)
            return true
        }
        let path = blobPath(digest)
        try FileSystem.makeDirectories(temporaryPath)
        let aside = "\(temporaryPath)/gc-\(getpid())-\(digest.algorithm.rawValue)-\(digest.encoded)"
        guard Glibc.rename(path, aside) == 0 else {
            if errno == ENOENT { return false }
            throw .io("rename", path: path, errno: errno)
        }
        defer { unlink(aside) }
        guard let modified = FileSystem.modificationTime(aside), Date().timeIntervalSince(modified) < grace else {
            return true
        }
        // Touched in between: back under its name (unless a writer already wrote it anew there).
        guard link(aside, path) == 0 || errno == EEXIST else { throw .io("link", path: path, errno: errno) }
        return false
    }
}
