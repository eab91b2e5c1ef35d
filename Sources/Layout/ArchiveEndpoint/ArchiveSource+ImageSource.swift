// SPDX-License-Identifier: Apache-2.0
import Foundation

extension ArchiveSource: ImageSource {
    /// The only image (no selector); the image under a tag: an OCI archive's ref name (or a RepoTag's tag
    /// part), a docker archive's `NAME:TAG` (`docker.io/library/` ignored) or its tag part; or any manifest
    /// of the archive by digest.
    /// - Throws: `LayoutError.manifestNotFound` when nothing matches; `.invalidArgument` when the archive holds
    ///   several images and none was selected (naming them), or the selector names several.
    public func resolve(_ selector: ImageReference.Selector?) throws(LayoutError) -> Descriptor {
        switch selector {
        case nil:
            let images = catalog.images
            guard images.count == 1, let image = images.first else {
                guard !images.isEmpty else { throw .manifestNotFound("\(description): the archive holds no image") }
                let choices = images.map { $0.names.first ?? $0.tags.first ?? $0.digest.description }
                throw .invalidArgument(
                    "\(description) holds \(images.count) images (\(choices.joined(separator: ", "))): select one "
                        + "by tag, as oci-archive:FILE:TAG or docker-archive:FILE:NAME:TAG")
            }
            return image.descriptor
        case .tag(let text):
            return try select(text).descriptor
        case .digest(let digest):
            guard let file = files[digest], file.isManifest else { throw .manifestNotFound("\(description)@\(digest)") }
            let manifest = try Manifest(bytes: try file.bytes(limit: Manifest.maxSize))
            return Descriptor(
                mediaType: manifest.mediaType, digest: digest, size: file.size, artifactType: manifest.artifactType)
        }
    }

    /// The tags the archive gives the image (an OCI archive's ref names, a docker archive's RepoTags' tags).
    public func tags(of digest: Digest) -> [String] {
        catalog.images.first { $0.descriptor.digest == digest }?.tags ?? []
    }

    /// The image `text` names: a tag first (a cosign `sha256-<hex>.sig` tag too), else a docker `NAME:TAG`.
    private func select(_ text: String) throws(LayoutError) -> ImportCandidate {
        let archive = path == "-" ? "standard input" : path
        if Names.isValidTag(text), catalog.images.contains(where: { $0.matches(.tag(text)) }) {
            return try catalog.select(.tag(text), archive: archive)
        }
        // A cosign legacy tag names a referrer, not an image: looked up by that tag alone.
        if let signature = catalog.candidates.first(where: { $0.legacySubject != nil && $0.tags.contains(text) }) {
            return signature
        }
        guard let name = try? ImageReference.DockerName(parsing: text) else {
            throw .manifestNotFound("\(archive):\(text)")
        }
        return try catalog.select(.dockerName(name), archive: archive)
    }

    /// The exact bytes of a manifest of the archive (already checked against its digest when the archive was
    /// read).
    /// - Throws: `LayoutError.manifestNotFound` for a manifest the archive does not list.
    public func manifest(_ descriptor: Descriptor) throws(LayoutError) -> Manifest {
        guard let file = files[descriptor.digest], file.isManifest else {
            throw .manifestNotFound("\(description)@\(descriptor.digest)")
        }
        return try Manifest(
            bytes: try file.bytes(limit: Manifest.maxSize),
            declared: descriptor.mediaType.isManifest ? descriptor.mediaType : nil)
    }

    /// Streams a blob of the archive (a layer, a config, a manifest) from where it lies.
    /// - Throws: `LayoutError.blobNotFound` for a blob no listed image references, `.sizeMismatch` when the
    ///   descriptor's size is not the member's, `.archive` when the archive file was truncated since it was read.
    public func readBlob(
        _ descriptor: Descriptor, from offset: Int64, into body: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        guard let file = files[descriptor.digest] else { throw LayoutError.blobNotFound(descriptor.digest) }
        guard file.size == descriptor.size else {
            throw LayoutError.sizeMismatch(descriptor.digest, expected: descriptor.size, actual: file.size)
        }
        try file.read(from: offset, into: body)
    }

    /// The referrers an OCI archive's index.json lists for `digest` (manifests whose `subject` it is), and the
    /// manifests under cosign's legacy tags for it; none in a legacy docker archive.
    public func referrers(of digest: Digest) -> [Referrer] {
        guard catalog.isOCILayout else { return [] }
        var result: [Referrer] = []
        for candidate in catalog.candidates where candidate.manifest.subject?.digest == digest {
            var entry = candidate.descriptor
            entry.annotations = candidate.manifest.annotations
            result.append(Referrer(descriptor: entry))
        }
        for (tag, type) in Referrer.cosignTags(of: digest) {
            guard let candidate = catalog.candidates.first(where: { $0.tags.contains(tag) }),
                !result.contains(where: { $0.descriptor.digest == candidate.digest })
            else { continue }
            var entry = candidate.descriptor
            entry.artifactType = type
            result.append(Referrer(descriptor: entry, legacyTag: tag))
        }
        return result
    }

    /// A legacy docker archive holds no referrers.
    public var holdsReferrers: Bool { catalog.isOCILayout }
}
