// SPDX-License-Identifier: Apache-2.0

/// The result of `OCILayout.check(repair:)`.
public struct FsckReport: Codable, Sendable, Hashable {
    /// The broken invariants. After a repair, those that remain (e.g. a missing layer of a kept manifest).
    public var problems: [FsckProblem]
    /// One sentence per repair action taken.
    public var repaired: [String]
    /// Blobs hashed.
    public var blobsChecked: Int
    /// Distinct manifests parsed and checked.
    public var manifestsChecked: Int
    /// Bytes hashed.
    public var bytesChecked: Int64
    /// Temporary files present (relative to the layout): garbage from a crash or writes in flight, not
    /// problems. After a repair, only those that were spared because their writer may still be running.
    public var temporaryFiles: [String]

    public init(
        problems: [FsckProblem] = [], repaired: [String] = [], blobsChecked: Int = 0, manifestsChecked: Int = 0,
        bytesChecked: Int64 = 0, temporaryFiles: [String] = []
    ) {
        self.problems = problems
        self.repaired = repaired
        self.blobsChecked = blobsChecked
        self.manifestsChecked = manifestsChecked
        self.bytesChecked = bytesChecked
        self.temporaryFiles = temporaryFiles
    }

    /// Whether every invariant holds (temporary files do not count).
    public var isClean: Bool { problems.isEmpty }
}
