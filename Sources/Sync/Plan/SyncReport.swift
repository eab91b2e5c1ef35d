// SPDX-License-Identifier: Apache-2.0
public import Layout

/// What a sync did (or, in a dry run, would do), tag by tag, with totals. Encodes to the JSON `ocitool sync`
/// prints with `--format json` and writes with `--report FILE`:
///
/// ```json
/// {"dryRun": false, "copied": 1, "skipped": 4, "failed": 0, "planned": 0, "bytes": 31457280,
///  "seconds": 1.2, "stopped": false,
///  "results": [{"source": "docker://a/team/app", "destination": "docker://b/team/app", "tag": "1.0",
///               "status": "copied", "reason": "new", "digest": "sha256:…", "blobsCopied": 3, …}]}
/// ```
public struct SyncReport: Codable, Sendable {
    /// One tag's outcome, or a repository that could not be synced at all (`tag` nil).
    public struct Entry: Codable, Sendable, Hashable {
        public enum Status: String, Codable, Sendable {
            /// Dry run: would be copied.
            case planned
            /// Copied (only what the destination lacked moved).
            case copied
            /// Already up to date: nothing moved.
            case skipped
            /// Failed: `error` says why.
            case failed
        }

        /// The source repository (`docker://HOST/REPO` or a layout path).
        public var source: String
        /// The destination repository.
        public var destination: String
        /// The tag; nil when the whole repository failed (listing tags, opening the destination).
        public var tag: String?
        public var status: Status
        /// Why a tag is (or would be) copied: `new`, `changed` or `referrers`.
        public var reason: SyncPlanItem.Reason?
        /// The source manifest's digest.
        public var digest: Digest?
        /// The digest the destination tag gets when it differs from `digest` (a platform's image, a filtered
        /// index).
        public var target: Digest?
        /// What the destination tag pointed at before.
        public var previous: Digest?
        /// Blobs the destination lacked, and their bytes.
        public var blobsCopied = 0
        public var bytesCopied: Int64 = 0
        /// Blobs mounted from another repository of the destination registry.
        public var blobsMounted = 0
        /// Blobs the destination already had.
        public var blobsSkipped = 0
        /// Manifests the destination lacked.
        public var manifestsCopied = 0
        /// Referrers copied along.
        public var referrersCopied = 0
        /// Time spent copying this tag.
        public var seconds = 0.0
        /// The failure, for a failed entry.
        public var error: String?

        public init(source: String, destination: String, tag: String?, status: Status) {
            self.source = source
            self.destination = destination
            self.tag = tag
            self.status = status
        }
    }

    /// Nothing was copied: the results say what would have been.
    public var dryRun: Bool
    /// Every tag planned, in order (repository by repository).
    public var results: [Entry] = []
    /// Tags copied.
    public var copied = 0
    /// Tags already up to date.
    public var skipped = 0
    /// Tags (and repositories) that failed.
    public var failed = 0
    /// Tags a dry run would copy.
    public var planned = 0
    /// Bytes of blobs copied.
    public var bytes: Int64 = 0
    /// Wall time of the whole sync.
    public var seconds = 0.0
    /// The sync stopped at the first failure (without keep-going), leaving later tags undone.
    public var stopped = false
    /// The first failure, for the exit code (not encoded).
    public var firstFailure: SyncError?

    public init(dryRun: Bool) { self.dryRun = dryRun }

    enum CodingKeys: String, CodingKey {
        case dryRun, results, copied, skipped, failed, planned, bytes, seconds, stopped
    }

    /// Appends an entry and counts it.
    public mutating func record(_ entry: Entry) {
        results.append(entry)
        switch entry.status {
        case .planned: planned += 1
        case .copied: copied += 1
        case .skipped: skipped += 1
        case .failed: failed += 1
        }
        bytes += entry.bytesCopied
    }

    /// Whether nothing failed.
    public var succeeded: Bool { failed == 0 }
}
