// SPDX-License-Identifier: Apache-2.0
public import Foundation

/// An artifact attached by `ImageRepository.attach`.
public struct Attachment: Sendable, Hashable {
    /// The artifact manifest, as the referrers list shows it.
    public var descriptor: Descriptor
    /// False when an equal artifact was already attached and was returned instead.
    public var attached: Bool
}

extension ImageRepository {
    /// Attaches files to an image of this repository as an OCI 1.1 artifact (a signature, an SBOM, an
    /// attestation), as `oras attach` does: the artifact (`ArtifactSource`) is copied here with `ImageCopy`,
    /// its blobs then its manifest. A layout lists it untagged in index.json; a registry without the
    /// referrers API gets it added to the subject's `sha256-<hex>` fallback tag index.
    /// - Parameters:
    ///   - files: the files, in layer order.
    ///   - artifactType: the artifact's type, e.g. `application/spdx+json`.
    ///   - annotations: the manifest's annotations.
    ///   - subject: the manifest the artifact refers to; it must be here.
    ///   - created: the creation time recorded when `annotations` has none.
    ///   - reusingEquals: when the subject already has an artifact of this type with the same files (content,
    ///     media type, name) and the same annotations apart from its creation time, return that one instead of
    ///     attaching a second.
    /// - Throws: a not-found error when the subject is not here, `LayoutError.io` when a file cannot be read,
    ///   the repository's transfer errors.
    public func attach(
        _ files: [AttachFile], artifactType: MediaType, annotations: [String: String] = [:], to subject: Descriptor,
        created: Date = Date(), reusingEquals: Bool = false
    ) throws -> Attachment {
        let target = try manifest(subject)
        let artifact = try ArtifactSource(
            files, artifactType: artifactType, annotations: annotations,
            subject: Descriptor(mediaType: target.mediaType, digest: subject.digest, size: Int64(target.bytes.count)),
            created: created)
        if reusingEquals, let existing = try equalArtifact(artifact.image) {
            return Attachment(descriptor: existing, attached: false)
        }
        try ImageCopy(from: artifact, to: self, options: CopyOptions(referrers: false)).copy(artifact.descriptor, tag: nil)
        return Attachment(descriptor: artifact.descriptor, attached: true)
    }

    /// A referrer of `artifact`'s subject that is `artifact` but for its creation time.
    private func equalArtifact(_ artifact: ImageManifest) throws -> Descriptor? {
        guard let subject = artifact.subject, let type = artifact.artifactType else { return nil }
        func comparable(_ manifest: ImageManifest) -> ImageManifest {
            var copy = manifest
            copy.annotations?.removeValue(forKey: Annotation.created)
            return copy
        }
        let wanted = comparable(artifact)
        for referrer in try referrers(of: subject.digest) where referrer.descriptor.artifactType == type {
            guard case .image(let image) = try manifest(referrer.descriptor).kind, comparable(image) == wanted else {
                continue
            }
            return referrer.descriptor
        }
        return nil
    }
}
