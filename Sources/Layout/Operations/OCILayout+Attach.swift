// SPDX-License-Identifier: Apache-2.0
public import Foundation

extension OCILayout {
    /// Stores files as an OCI 1.1 artifact whose subject is a manifest of this layout (a signature, an SBOM,
    /// an attestation), as `oras attach` does: `ImageRepository.attach` on the layout's endpoint (the one
    /// path a registry takes too). The artifact (`ArtifactSource`) is listed untagged in index.json, so
    /// `referrers(of:)` finds it.
    /// - Parameters:
    ///   - files: the files, in layer order.
    ///   - artifactType: the artifact's type, e.g. `application/spdx+json`.
    ///   - annotations: the manifest's annotations.
    ///   - subject: the manifest the artifact refers to; it must be in this layout.
    ///   - created: the creation time recorded when `annotations` has none.
    ///   - reusingEquals: return an equal artifact already attached (same type, files and annotations apart
    ///     from its creation time) instead of attaching a second.
    /// - Returns: the artifact manifest's descriptor, as `referrers(of:)` lists it.
    /// - Throws: `.manifestNotFound` when the subject is not in the layout, `.io` when a file cannot be read.
    @discardableResult
    public func attach(
        _ files: [AttachFile], artifactType: MediaType, annotations: [String: String] = [:], to subject: Descriptor,
        created: Date = Date(), reusingEquals: Bool = false
    ) throws(LayoutError) -> Descriptor {
        do {
            return try LayoutEndpoint(self).attach(
                files, artifactType: artifactType, annotations: annotations, to: subject, created: created,
                reusingEquals: reusingEquals
            ).descriptor
        } catch let error as LayoutError {
            throw error
        } catch {
            throw .invalidArgument(String(describing: error))
        }
    }
}

extension Descriptor {
    /// The content of the empty descriptor: `{}`.
    public static let emptyJSONContent = Data("{}".utf8)

    /// The empty JSON descriptor, an artifact's config (and its only layer when it has no files): media type
    /// `application/vnd.oci.empty.v1+json`, the digest of `{}`, size 2, the content inline (`e30=`).
    ///
    /// Spec: https://github.com/opencontainers/image-spec/blob/v1.1.0/manifest.md#guidance-for-an-empty-descriptor
    public static let emptyJSON = Descriptor(
        mediaType: .ociEmpty, digest: Digest.sha256(of: emptyJSONContent), size: 2, data: emptyJSONContent)
}
