// SPDX-License-Identifier: Apache-2.0
public import Foundation

extension OCILayout {
    /// Stores files as an OCI 1.1 artifact whose subject is a manifest of this layout (a signature, an SBOM,
    /// an attestation), as `oras attach` does.
    ///
    /// Each file is streamed into a blob and becomes a layer titled with its file name
    /// (`org.opencontainers.image.title`). The config is the empty descriptor; an artifact without files has
    /// the empty descriptor as its single layer, as the spec recommends. The manifest carries `artifactType`,
    /// `subject` (media type, digest and size of the subject) and the annotations plus
    /// `org.opencontainers.image.created` (unless given). It is listed untagged in index.json, so
    /// `referrers(of:)` finds it.
    ///
    /// Spec: https://github.com/opencontainers/image-spec/blob/v1.1.0/manifest.md#guidelines-for-artifact-usage
    /// - Parameters:
    ///   - files: the files, in layer order.
    ///   - artifactType: the artifact's type, e.g. `application/spdx+json`.
    ///   - annotations: the manifest's annotations.
    ///   - subject: the manifest the artifact refers to; it must be in this layout.
    ///   - created: the creation time recorded when `annotations` has none.
    ///   - reusingEquals: when the subject already has an artifact of this type with the same files (content,
    ///     media type, name) and the same annotations apart from its creation time, return that one instead of
    ///     attaching a second.
    /// - Returns: the artifact manifest's descriptor as index.json lists it.
    /// - Throws: `.manifestNotFound` when the subject is not in the layout, `.io` when a file cannot be read.
    @discardableResult
    public func attach(
        _ files: [AttachFile], artifactType: MediaType, annotations: [String: String] = [:], to subject: Descriptor,
        created: Date = Date(), reusingEquals: Bool = false
    ) throws(LayoutError) -> Descriptor {
        let target = try manifest(subject)
        var layers: [Descriptor] = []
        for file in files { layers.append(try storeFile(file)) }
        try writeBlob(Descriptor.emptyJSONContent, expected: Descriptor.emptyJSON.digest)
        if layers.isEmpty { layers = [Descriptor.emptyJSON] }
        var allAnnotations = annotations
        if allAnnotations[Annotation.created] == nil {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime]
            formatter.timeZone = TimeZone(identifier: "UTC")
            allAnnotations[Annotation.created] = formatter.string(from: created)
        }
        let manifest = ImageManifest(
            mediaType: .ociManifest, artifactType: artifactType, config: Descriptor.emptyJSON, layers: layers,
            subject: Descriptor(mediaType: target.mediaType, digest: subject.digest, size: Int64(target.bytes.count)),
            annotations: allAnnotations)
        if reusingEquals, let existing = try equalArtifact(manifest) { return existing }
        let bytes: Data
        do { bytes = try JSONEncoder.ocitool.encode(manifest) } catch {
            throw .manifestInvalid("cannot encode the artifact manifest: \(error)")
        }
        return try putManifest(bytes, mediaType: .ociManifest)
    }

    /// A referrer of `artifact`'s subject that is `artifact` but for its creation time.
    private func equalArtifact(_ artifact: ImageManifest) throws(LayoutError) -> Descriptor? {
        guard let subject = artifact.subject, let type = artifact.artifactType else { return nil }
        func comparable(_ manifest: ImageManifest) -> ImageManifest {
            var copy = manifest
            copy.annotations?.removeValue(forKey: Annotation.created)
            return copy
        }
        let wanted = comparable(artifact)
        for referrer in try referrers(of: subject.digest, artifactType: type) {
            guard case .image(let image) = try manifest(referrer).kind, comparable(image) == wanted else { continue }
            return referrer
        }
        return nil
    }

    /// Streams a file into a blob and returns its layer descriptor.
    private func storeFile(_ file: AttachFile) throws(LayoutError) -> Descriptor {
        let reader = try BlobReader(path: file.path)
        let writer = try BlobWriter(layout: self)
        try reader.forEachChunk { (chunk) throws(LayoutError) in try writer.write(chunk) }
        let staged = try writer.finish()
        try staged.commit()
        let title = FileSystem.baseName(of: file.path)
        return Descriptor(
            mediaType: file.mediaType, digest: staged.digest, size: staged.size,
            annotations: [Annotation.title: title])
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
