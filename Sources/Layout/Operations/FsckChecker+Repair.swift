// SPDX-License-Identifier: Apache-2.0
import Foundation

extension FsckChecker {
    /// Applies the index.json repairs in one read-modify-write under the layout's lock. A drop is checked again
    /// under the lock, so a manifest pushed again meanwhile keeps its entry.
    mutating func applyEntryRepairs() throws(LayoutError) {
        guard !entryRepairs.isEmpty else { return }
        let repairs = entryRepairs
        let layout = self.layout
        let actions = try layout.updateIndex { (index) throws(LayoutError) -> [String] in
            var actions: [String] = []
            var kept: [Descriptor] = []
            for var entry in index.manifests {
                guard let fix = repairs[entry.digest] else {
                    kept.append(entry)
                    continue
                }
                let label = FsckChecker.label(entry)
                if let reason = fix.drop, !layout.holdsUsableManifest(entry) {
                    actions.append("dropped \(label): \(reason)")
                    continue
                }
                if let size = fix.size, entry.size != size {
                    actions.append("set the size of \(label) to \(size) bytes (was \(entry.size))")
                    entry.size = size
                }
                if let mediaType = fix.mediaType, entry.mediaType != mediaType {
                    actions.append("set the media type of \(label) to \(mediaType) (was \(entry.mediaType))")
                    entry.mediaType = mediaType
                }
                if let manifest = fix.subjectOf, let action = FsckChecker.fixSubject(of: &entry, to: manifest) {
                    actions.append("\(action) of \(label)")
                }
                kept.append(entry)
            }
            index.manifests = kept
            return actions
        }
        report.repaired += actions
    }

    /// Makes an entry's subject annotation (and artifact type) match its manifest.
    /// - Returns: the action taken, or nil when the entry already matched.
    private static func fixSubject(of entry: inout Descriptor, to manifest: Manifest) -> String? {
        let expected = manifest.subject?.digest.description
        guard entry.annotations?[Annotation.subject] != expected else { return nil }
        guard let expected else {
            entry.annotations?.removeValue(forKey: Annotation.subject)
            if entry.annotations?.isEmpty == true { entry.annotations = nil }
            return "removed the \(Annotation.subject) annotation"
        }
        entry.annotations = (entry.annotations ?? [:]).merging([Annotation.subject: expected]) { $1 }
        if entry.artifactType == nil { entry.artifactType = manifest.artifactType }
        return "set \(Annotation.subject) to \(expected)"
    }
}

extension OCILayout {
    /// Whether an index.json entry's manifest is present, intact and parses (other content: present).
    func holdsUsableManifest(_ entry: Descriptor) -> Bool {
        guard entry.mediaType.isManifest else { return blobSize(entry.digest) != nil }
        guard let bytes = try? readBlob(entry.digest) else { return false }
        return (try? Manifest(bytes: bytes, declared: entry.mediaType)) != nil || (try? Manifest(bytes: bytes)) != nil
    }
}
