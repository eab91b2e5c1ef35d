// SPDX-License-Identifier: Apache-2.0

extension OCILayout {
    /// Checks every invariant of the layout, and with `repair` fixes what can be fixed without guessing.
    ///
    /// Checked: the `oci-layout` file (JSON, version 1.0.0); that index.json parses; that every blob under
    /// `blobs/` is named by a valid digest and hashes to it (streamed once); that every index.json entry's
    /// manifest exists, parses and has the declared size and media type; recursively, that every config, layer
    /// and child manifest exists with its declared size (foreign layers with URLs may be absent); that tags are
    /// valid and unique; and that each referrer's entry carries the `dev.ocitool.subject` annotation naming the
    /// manifest's subject. Temporary files are listed in `temporaryFiles`: they are garbage from a crash (or a
    /// write in flight), not problems.
    ///
    /// A malformed or missing index.json is reported as an `invalidIndex` problem rather than thrown; the blobs
    /// are still checked, the index-dependent checks are skipped, and a repair leaves index.json alone.
    ///
    /// `repair` removes temporary files (except those whose writer process is still running and that were
    /// modified within the last hour), removes corrupt blobs (a wrong blob is worse than a missing one), and
    /// rewrites index.json under the layout's lock: entries whose manifest is missing or invalid are dropped,
    /// wrong sizes and media types of entries are corrected from the verified manifest, and subject
    /// annotations are set or removed to match the manifests. Each action is listed in `repaired`; `problems`
    /// then describes the layout as repaired (for instance a layer missing from a kept manifest, which no
    /// repair can bring back).
    ///
    /// - Parameter repair: fix what can be fixed.
    /// - Returns: the problems found (or left), the repairs made, and counts.
    /// - Throws: I/O errors (for instance a blob that cannot be read); never for a broken invariant.
    public func check(repair: Bool = false) throws(LayoutError) -> FsckReport {
        var checker = FsckChecker(layout: self, repair: repair)
        try checker.run()
        return checker.report
    }
}
