// SPDX-License-Identifier: Apache-2.0
import Foundation

extension FsckChecker {
    /// How a manifest blob parsed.
    enum ParseOutcome {
        case valid(Manifest)
        /// Parses, but as another media type than its descriptor declares.
        case mediaTypeMismatch(Manifest)
        case invalid(String)
    }

    /// Checks one index.json entry: its manifest's presence, size, media type, subject annotation, and tree.
    mutating func checkEntry(_ entry: Descriptor) throws(LayoutError) {
        let label = FsckChecker.label(entry)
        guard let state = blobState(entry.digest) else {
            if repair {
                entryRepairs[entry.digest, default: EntryRepair()].drop = "its manifest is missing"
            } else {
                problem(
                    .missingManifest, digest: entry.digest,
                    message: "\(label): the manifest \(entry.digest.blobPath) is missing")
            }
            return
        }
        let size = state.size
        if size != entry.size {
            if repair {
                entryRepairs[entry.digest, default: EntryRepair()].size = size
            } else {
                problem(
                    .sizeMismatch, digest: entry.digest,
                    message: "\(label) declares \(entry.size) bytes but the manifest is \(size) bytes")
            }
        }
        if case .corrupt = state { return }  // reported by the blob scan; not parsed
        guard entry.mediaType.isManifest else { return }  // other content is listed as is
        let manifest: Manifest
        switch try parse(entry.digest, declared: entry.mediaType) {
        case .valid(let parsed):
            manifest = parsed
        case .mediaTypeMismatch(let parsed):
            manifest = parsed
            if repair {
                entryRepairs[entry.digest, default: EntryRepair()].mediaType = parsed.mediaType
            } else {
                problem(
                    .invalidManifest, digest: entry.digest,
                    message: "\(label) declares media type \(entry.mediaType) but the manifest is \(parsed.mediaType)")
            }
        case .invalid(let reason):
            if repair {
                entryRepairs[entry.digest, default: EntryRepair()].drop = "its manifest is invalid: \(reason)"
            } else {
                problem(.invalidManifest, digest: entry.digest, message: "\(label): \(reason)")
            }
            return
        }
        checkSubjectAnnotation(entry, manifest: manifest, label: label)
        try checkTree(manifest, digest: entry.digest)
    }

    /// Checks that a referrer's entry names the manifest's subject in `dev.ocitool.subject` (and that a
    /// non-referrer's entry does not). A referrer listed without the annotation (as other tools write them) is
    /// found by `referrers(of:)` through its manifest, so that is no problem; `--repair` adds the annotation.
    private mutating func checkSubjectAnnotation(_ entry: Descriptor, manifest: Manifest, label: String) {
        let annotated = entry.annotations?[Annotation.subject]
        let expected = manifest.subject?.digest.description
        guard annotated != expected else { return }
        if repair {
            entryRepairs[entry.digest, default: EntryRepair()].subjectOf = manifest
            return
        }
        if annotated == nil { return }
        let message: String
        switch (annotated, expected) {
        case (nil, let expected?):
            message = "\(label) lacks the \(Annotation.subject) annotation naming its subject \(expected)"
        case (let annotated?, nil):
            message = "\(label) names subject \(annotated) in \(Annotation.subject) but the manifest has no subject"
        default:
            message = "\(label) names subject \(annotated ?? "") in \(Annotation.subject) but the manifest's "
                + "subject is \(expected ?? "")"
        }
        problem(.missingSubjectAnnotation, digest: entry.digest, message: message)
    }

    /// Checks everything a manifest references, recursing into child manifests; each manifest once.
    mutating func checkTree(_ manifest: Manifest, digest: Digest) throws(LayoutError) {
        guard checkedManifests.insert(digest).inserted else { return }
        report.manifestsChecked += 1
        switch manifest.kind {
        case .image(let image):
            checkReference(image.config, role: "config", of: digest, missingKind: .missingBlob)
            for layer in image.layers {
                checkReference(layer, role: "layer", of: digest, missingKind: .missingBlob)
            }
        case .index(let index):
            for child in index.manifests where !checkedManifests.contains(child.digest) {
                guard checkReference(child, role: "child manifest", of: digest, missingKind: .missingManifest),
                    child.mediaType.isManifest
                else { continue }
                switch try parse(child.digest, declared: child.mediaType) {
                case .valid(let parsed):
                    try checkTree(parsed, digest: child.digest)
                case .mediaTypeMismatch(let parsed):
                    problem(
                        .invalidManifest, digest: child.digest,
                        message: "index \(digest) lists child \(child.digest) as \(child.mediaType) but it is "
                            + "\(parsed.mediaType)")
                    try checkTree(parsed, digest: child.digest)
                case .invalid(let reason):
                    problem(
                        .invalidManifest, digest: child.digest,
                        message: "child manifest \(child.digest) of index \(digest): \(reason)")
                }
            }
        }
    }

    /// Checks that a referenced blob is present (unless foreign, with URLs) with the declared size.
    /// - Returns: whether the blob is present and not corrupt.
    @discardableResult
    private mutating func checkReference(
        _ descriptor: Descriptor, role: String, of owner: Digest, missingKind: FsckProblem.Kind
    ) -> Bool {
        let digest = descriptor.digest
        guard let state = blobState(digest) else {
            if descriptor.urls?.isEmpty == false { return false }
            if reportedMissing.insert(digest).inserted {
                problem(missingKind, digest: digest, message: "\(role) \(digest) of manifest \(owner) is missing")
            }
            return false
        }
        let size = state.size
        if size != descriptor.size {
            problem(
                .sizeMismatch, digest: digest,
                message: "\(role) \(digest) of manifest \(owner) is \(size) bytes but its descriptor says "
                    + "\(descriptor.size)")
        }
        if case .corrupt = state { return false }  // reported by the blob scan
        return true
    }

    /// Parses a manifest blob as `declared`, telling an invalid manifest from one whose descriptor has the
    /// wrong media type.
    func parse(_ digest: Digest, declared: MediaType) throws(LayoutError) -> ParseOutcome {
        let bytes: Data
        do {
            bytes = try layout.readBlob(digest, limit: Manifest.maxSize)
        } catch .tooLarge {
            return .invalid("the manifest is larger than the \(Manifest.maxSize)-byte limit")
        } catch .digestMismatch {
            return .invalid("the manifest's bytes do not hash to its digest")
        }
        do {
            return .valid(try Manifest(bytes: bytes, declared: declared))
        } catch {
            if let parsed = try? Manifest(bytes: bytes), parsed.mediaType != declared {
                return .mediaTypeMismatch(parsed)
            }
            return .invalid(error.description)
        }
    }
}
