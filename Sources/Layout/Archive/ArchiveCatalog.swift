// SPDX-License-Identifier: Apache-2.0
import Foundation

/// The images an archive holds, read from what one scanning pass found and checked against it: every
/// top-level manifest (index.json entries of an OCI archive or of docker 25's OCI form; manifest.json entries
/// of a legacy `docker save`, for which an OCI manifest is generated) with its names, tags and closure.
/// What `import` commits and what an `ArchiveSource` serves, so the two read an archive the same way.
struct ArchiveCatalog {
    let contents: ArchiveContents
    /// Images first as the archive lists them, then referrers; a manifest listed twice is merged.
    let candidates: [ImportCandidate]
    /// `docker-archive` (docker save, legacy or OCI form) or `oci-archive`.
    let format: ArchiveFormat
    /// Whether the archive is in OCI layout form (index.json), which can list referrers; a legacy docker
    /// archive cannot.
    let isOCILayout: Bool

    /// Reads the images of `contents`.
    /// - Throws: `LayoutError.archive` when the archive is neither form, or for what its metadata claims but
    ///   its content contradicts (`.archiveMismatch`, `.sizeMismatch`, `.digestMismatch`, `.manifestInvalid`).
    init(_ contents: ArchiveContents) throws(LayoutError) {
        self.contents = contents
        if contents.metadata["index.json"] != nil, contents.metadata["oci-layout"] != nil {
            candidates = try Self.ociCandidates(contents)
            format = contents.metadata["manifest.json"] != nil ? .dockerArchive : .ociArchive
            isOCILayout = true
        } else if contents.metadata["manifest.json"] != nil {
            candidates = try Self.dockerCandidates(contents)
            format = .dockerArchive
            isOCILayout = false
        } else {
            throw .archive("neither manifest.json nor index.json found: not a docker save or oci-archive tarball")
        }
    }
}
