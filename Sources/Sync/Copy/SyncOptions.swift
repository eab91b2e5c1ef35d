// SPDX-License-Identifier: Apache-2.0
public import Layout

/// What `ImageSync` copies and how: Layout's `CopyOptions` (platforms, `all`, referrers, artifact types,
/// progress) plus the number of blobs moved at once.
public struct SyncOptions: Sendable {
    /// Platforms, `all`, referrers and their artifact types, progress, with the meaning `copyImage` gives
    /// them. `progress` is called from several threads at once.
    public var copy: CopyOptions
    /// Blobs transferred in parallel (`--jobs`, at least 1).
    public var jobs: Int

    public init(_ copy: CopyOptions = CopyOptions(), jobs: Int = 4) {
        self.copy = copy
        self.jobs = max(1, jobs)
    }
}
