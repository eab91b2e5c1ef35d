// SPDX-License-Identifier: Apache-2.0

/// What an `ImageCopy` copies and how, with skopeo's defaults, whatever the pair of endpoints.
public struct CopyOptions: Sendable {
    /// Copy an index whole, every child (skopeo `--all`). Without it an index with platform-specific
    /// children gives one image: the children for `platforms`, or else the host platform's image.
    public var all: Bool
    /// Copy only these platforms' children of an index, into a new index holding just them (skopeo
    /// `--platform`, repeatable). Ignored with `all`.
    public var platforms: [Platform]
    /// Also copy every referrer of every copied manifest, recursively (signatures of SBOMs).
    public var referrers: Bool
    /// Keep only direct referrers of these artifact types (all when empty); whatever is attached to a kept
    /// referrer (its signatures) comes along.
    public var artifactTypes: [MediaType]
    /// Called with the number of bytes each time blob content lands in the destination (a hard-linked or
    /// mounted blob reports its whole size at once), from several threads at once.
    public var progress: (@Sendable (Int64) -> Void)?
    /// Blobs transferred in parallel (`--jobs`, at least 1).
    public var jobs: Int
    /// A check each image must pass before anything of it is written (a required signature); nil for none.
    public var gate: (any CopyGate)?

    public init(
        all: Bool = false, platforms: [Platform] = [], referrers: Bool = true, artifactTypes: [MediaType] = [],
        progress: (@Sendable (Int64) -> Void)? = nil, jobs: Int = 4, gate: (any CopyGate)? = nil
    ) {
        self.gate = gate
        self.jobs = max(1, jobs)
        self.all = all
        self.platforms = platforms
        self.referrers = referrers
        self.artifactTypes = artifactTypes
        self.progress = progress
    }
}
