// SPDX-License-Identifier: Apache-2.0
import Foundation

/// Imports a `docker save` tarball (legacy, or the OCI form of docker 25 and later) or an oci-archive into a
/// layout, in one streaming pass (standard input cannot seek).
///
/// The archive is read and checked exactly as an `ArchiveSource` reads it (`ArchiveScanner`, then
/// `ArchiveCatalog`), except that large entries are staged in the layout's temporary directory while read, so
/// that committing one is a rename (`ImageCopy` from an `ArchiveSource` would read and hash each layer a second
/// time). Only when the whole archive is read, parsed and validated are the referenced blobs
/// committed, then index.json is updated once. Any error before that commits nothing, and the staged files are
/// removed when the importer's state is released. With a gate (a required signature), every image must pass it
/// first, its signatures read from the same archive: a refused image refuses the archive, and nothing is
/// committed.
struct ArchiveImporter {
    let layout: OCILayout
    /// The archive path, `-` for standard input.
    let archivePath: String
    let options: ImportOptions

    /// Reads, validates and commits the archive.
    func run() throws(LayoutError) -> ImportResult {
        if let tag = options.tag { try Names.validateTag(tag) }
        let scanner = ArchiveScanner(archivePath: archivePath, storage: .layout(layout), progress: options.progress)
        let catalog = try ArchiveCatalog(scanner.scan())
        let plan = try plan(catalog)
        if let gate = options.gate { try admit(plan, of: catalog, through: gate) }
        return try commit(plan)
    }

    /// Asks `gate` about every image of the plan (referrers are what it reads, not what it judges), reading
    /// the archive as an `ArchiveSource` does.
    /// - Throws: `.verificationFailed` naming the first image refused; the source's errors.
    private func admit(_ plan: ImportPlan, of catalog: ArchiveCatalog, through gate: any CopyGate) throws(LayoutError) {
        let source = ArchiveSource(catalog: catalog, path: archivePath)
        for image in plan.images where !image.isReferrer {
            do {
                let name = (image.names.first ?? image.tags.first).map { "\(source):\($0)" } ?? "\(source)"
                try gate.check(image.descriptor, from: source, named: name)
            } catch let error as LayoutError {
                throw error
            } catch {
                throw .verificationFailed("\(image.label) was refused: \(error)")
            }
        }
    }
}
