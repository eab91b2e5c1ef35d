// SPDX-License-Identifier: Apache-2.0

/// One image to put into an archive: a manifest (image or index) wherever it lives, and the names it gets
/// there.
public struct ExportItem: Sendable {
    /// Where the manifest and its blobs are read (a layout, another archive, a registry).
    public var source: any ImageSource
    /// The manifest to export (as the source's `resolve` returns it).
    public var descriptor: Descriptor
    /// oci-archive: the `org.opencontainers.image.ref.name` the entry gets in the archive's index.json.
    public var tag: String?
    /// docker-archive: the `RepoTags` entry (`name:tag`); nil leaves the image untagged.
    public var dockerName: ImageReference.DockerName?

    public init(
        source: any ImageSource, descriptor: Descriptor, tag: String? = nil,
        dockerName: ImageReference.DockerName? = nil
    ) {
        self.source = source
        self.descriptor = descriptor
        self.tag = tag
        self.dockerName = dockerName
    }

    /// An image of a layout.
    public init(
        layout: OCILayout, descriptor: Descriptor, tag: String? = nil, dockerName: ImageReference.DockerName? = nil
    ) {
        self.init(source: LayoutEndpoint(layout), descriptor: descriptor, tag: tag, dockerName: dockerName)
    }
}
