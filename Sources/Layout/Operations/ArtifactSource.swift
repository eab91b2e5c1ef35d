// SPDX-License-Identifier: Apache-2.0
public import Foundation

/// An OCI 1.1 artifact built from files, as an image source: its manifest in memory, its layers read from
/// the files themselves (no temporary layout), the empty config inline. `ImageRepository.attach` copies it
/// to a layout or a registry with `ImageCopy`.
///
/// Each file becomes a layer titled with its file name (`org.opencontainers.image.title`). The config is the
/// empty descriptor; an artifact without files has the empty descriptor as its single layer, as the spec
/// recommends. The manifest carries `artifactType`, `subject` and the annotations plus
/// `org.opencontainers.image.created` (unless given).
///
/// Spec: https://github.com/opencontainers/image-spec/blob/v1.1.0/manifest.md#guidelines-for-artifact-usage
public struct ArtifactSource: ImageSource {
    /// The artifact manifest, parsed.
    public let image: ImageManifest
    /// Its exact bytes.
    public let content: Manifest
    /// The layers' files by digest.
    private let files: [Digest: String]

    /// Hashes the files (streamed) and builds the manifest.
    /// - Parameters:
    ///   - files: the files, in layer order.
    ///   - artifactType: the artifact's type, e.g. `application/spdx+json`.
    ///   - annotations: the manifest's annotations.
    ///   - subject: the subject's media type, digest and size; nil for an artifact that refers to nothing (a
    ///     vulnerability database shipped on its own).
    ///   - created: the creation time recorded when `annotations` has none.
    /// - Throws: `LayoutError.io` when a file cannot be read.
    public init(
        _ files: [AttachFile], artifactType: MediaType, annotations: [String: String], subject: Descriptor?,
        created: Date
    ) throws(LayoutError) {
        var layers: [Descriptor] = []
        var paths: [Digest: String] = [:]
        for file in files {
            let layer = try ArtifactSource.layer(file)
            layers.append(layer)
            paths[layer.digest] = file.path
        }
        if layers.isEmpty { layers = [Descriptor.emptyJSON] }
        var allAnnotations = annotations
        if allAnnotations[Annotation.created] == nil {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime]
            formatter.timeZone = TimeZone(identifier: "UTC")
            allAnnotations[Annotation.created] = formatter.string(from: created)
        }
        image = ImageManifest(
            mediaType: .ociManifest, artifactType: artifactType, config: Descriptor.emptyJSON, layers: layers,
            subject: subject, annotations: allAnnotations)
        let bytes: Data
        do { bytes = try JSONEncoder.ocitool.encode(image) } catch {
            throw .manifestInvalid("cannot encode the artifact manifest: \(error)")
        }
        content = try Manifest(bytes: bytes, declared: .ociManifest)
        self.files = paths
    }

    /// The artifact as a referrers list shows it: media type, digest, size, artifact type, annotations.
    public var descriptor: Descriptor {
        Descriptor(
            mediaType: .ociManifest, digest: content.digest, size: Int64(content.bytes.count),
            annotations: image.annotations, artifactType: image.artifactType)
    }

    public var description: String { "the artifact \(content.digest)" }

    /// The artifact manifest, whatever the selector.
    public func resolve(_ selector: ImageReference.Selector?) -> Descriptor { descriptor }

    public func manifest(_ descriptor: Descriptor) throws(LayoutError) -> Manifest {
        guard descriptor.digest == content.digest else { throw .manifestNotFound("\(self)@\(descriptor.digest)") }
        return content
    }

    public func readBlob(
        _ descriptor: Descriptor, from offset: Int64, into body: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        try openBlob(descriptor, from: offset).forEachPiece(body)
    }

    /// A layer's file (read with `pread`), or the empty config inline.
    public func openBlob(_ descriptor: Descriptor, from offset: Int64) throws(LayoutError) -> any BlobStream {
        if let path = files[descriptor.digest] {
            return FileBlobStream(reader: try BlobReader(path: path), offset: offset)
        }
        guard descriptor.digest == Descriptor.emptyJSON.digest else { throw .blobNotFound(descriptor.digest) }
        return DataBlobStream(Descriptor.emptyJSONContent, offset: offset)
    }

    /// None: the artifact is new.
    public func referrers(of digest: Digest) -> [Referrer] { [] }

    /// A file's layer descriptor: its digest and size (streamed through the hasher), media type and title.
    private static func layer(_ file: AttachFile) throws(LayoutError) -> Descriptor {
        let reader = try BlobReader(path: file.path)
        let hasher = DigestHasher()
        var size: Int64 = 0
        try reader.forEachChunk { (chunk) throws(LayoutError) in
            hasher.update(chunk)
            size += Int64(chunk.count)
        }
        return Descriptor(
            mediaType: file.mediaType, digest: hasher.finalize(), size: size,
            annotations: [Annotation.title: FileSystem.baseName(of: file.path)])
    }
}
