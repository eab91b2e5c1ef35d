// SPDX-License-Identifier: Apache-2.0

extension ArchiveCatalog {
    /// The images of the archive: its top-level manifests that are not referrers.
    var images: [ImportCandidate] { candidates.filter { !$0.isReferrer } }

    /// The one image `selection` names (`oci-archive:FILE:TAG`, `docker-archive:FILE:NAME:TAG`).
    /// - Parameter archive: how messages name the archive.
    /// - Throws: `LayoutError.manifestNotFound` when no image matches, `.invalidArgument` when several do.
    func select(_ selection: ArchiveSelection, archive: String) throws(LayoutError) -> ImportCandidate {
        let matches = images.filter { $0.matches(selection) }
        guard let image = matches.first else { throw .manifestNotFound("\(archive):\(selection)") }
        guard matches.count == 1 else {
            let labels = matches.map(\.label).joined(separator: ", ")
            throw .invalidArgument(
                "'\(selection)' names \(matches.count) images in the archive (\(labels)): select one by NAME:TAG")
        }
        return image
    }
}
