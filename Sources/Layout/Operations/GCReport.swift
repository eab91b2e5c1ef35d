// SPDX-License-Identifier: Apache-2.0

/// What a garbage collection removed (or, with `dryRun`, would remove).
public struct GCReport: Codable, Sendable, Hashable {
    /// A blob removed from `blobs/`.
    public struct RemovedBlob: Codable, Sendable, Hashable {
        public var digest: Digest
        public var size: Int64

        public init(digest: Digest, size: Int64) {
            self.digest = digest
            self.size = size
        }
    }

    /// Unreferenced blobs removed, sorted by digest.
    public var removedBlobs: [RemovedBlob]
    /// index.json entries dropped: referrers whose subject is gone, and with `untagged` untagged manifests.
    public var droppedEntries: [Descriptor]
    /// Unreferenced blobs kept because they are younger than the grace period (maybe a push in flight).
    public var sparedYoung: [Digest]
    /// Temporary files older than the grace period that were removed, relative to the layout.
    public var removedTemporaryFiles: [String]
    /// Bytes freed: removed blobs plus removed temporary files.
    public var bytesFreed: Int64
    /// Whether this is only a plan (nothing was changed).
    public var dryRun: Bool

    public init(
        removedBlobs: [RemovedBlob] = [], droppedEntries: [Descriptor] = [], sparedYoung: [Digest] = [],
        removedTemporaryFiles: [String] = [], bytesFreed: Int64 = 0, dryRun: Bool = false
    ) {
        self.removedBlobs = removedBlobs
        self.droppedEntries = droppedEntries
        self.sparedYoung = sparedYoung
        self.removedTemporaryFiles = removedTemporaryFiles
        self.bytesFreed = bytesFreed
        self.dryRun = dryRun
    }
}
