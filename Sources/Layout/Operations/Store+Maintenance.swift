// SPDX-License-Identifier: Apache-2.0
public import Foundation

/// gc and fsck of a whole store: every repository in turn, then what the repositories share.
extension Store {
    /// Collects garbage in every repository (`OCILayout.collectGarbage`), then sweeps what no repository holds
    /// any more and is older than the grace period: the pool's entries, or an object store's blobs.
    /// - Returns: every repository's report in one (temporary files prefixed by their repository's name), the
    ///   shared blobs swept counted as removed blobs (of size 0: the sweep does not read their sizes).
    /// - Throws: the first repository's error; the repositories before it are collected.
    public func collectGarbage(_ options: GCOptions = GCOptions()) throws(LayoutError) -> GCReport {
        var total = GCReport(dryRun: options.dryRun)
        for name in try listedRepositories() {
            let report = try layout(for: name).collectGarbage(options)
            total.removedBlobs += report.removedBlobs
            total.droppedEntries += report.droppedEntries
            total.sparedYoung += report.sparedYoung
            total.removedTemporaryFiles += report.removedTemporaryFiles.map { name + "/" + $0 }
            total.bytesFreed += report.bytesFreed
        }
        if !options.dryRun {
            for digest in try sweepShared(grace: options.grace) {
                total.removedBlobs.append(GCReport.RemovedBlob(digest: digest, size: 0))
            }
        }
        return total
    }

    /// Checks every repository (`OCILayout.check`), with `repair` fixing what can be fixed.
    /// - Returns: one report: problems, repairs and temporary files prefixed by their repository's name, counts
    ///   summed.
    /// - Throws: I/O errors; never for a broken invariant.
    public func check(repair: Bool = false) throws(LayoutError) -> FsckReport {
        var total = FsckReport()
        for name in try listedRepositories() {
            let report = try layout(for: name).check(repair: repair)
            total.problems += report.problems.map {
                FsckProblem(kind: $0.kind, digest: $0.digest, message: name + ": " + $0.message)
            }
            total.repaired += report.repaired.map { name + ": " + $0 }
            total.temporaryFiles += report.temporaryFiles.map { name + "/" + $0 }
            total.blobsChecked += report.blobsChecked
            total.manifestsChecked += report.manifestsChecked
            total.bytesChecked += report.bytesChecked
        }
        return total
    }

    /// Removes what the repositories share and none holds any more, unchanged for `grace` seconds: the pool's
    /// entries, or the blobs of an object store.
    /// - Returns: the digests removed.
    /// - Throws: I/O errors of an object store (the pool's sweep is best effort).
    @discardableResult
    public func sweepShared(grace: Double = 3600, now: Date = Date()) throws(LayoutError) -> [Digest] {
        if let backend { return try backend.sweepUnreferencedBlobs(grace: grace, now: now) }
        return sweepPool(grace: grace, now: now)
    }
}
