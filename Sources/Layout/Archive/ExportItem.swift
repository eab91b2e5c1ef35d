// SPDX-License-Identifier: Apache-2.0

/// One image to put into an archive: a manifest (image or index) in a layout, and the names it gets there.
public struct ExportItem: Sendable {
    /// The layout holding the manifest and its blobs.
    public var layout: OCILayout
    /// The manifest to export (as `OCILayout.resolve` returns it).
    public var descriptor: Descriptor
    /// oci-archive: the `org.opencontainers.image.ref.name` the entry gets in the archive's index.json.
    public var tag: String?
    /// docker-archive: the `RepoTags` entry (`name:tag`); nil leaves the image untagged.
    public var dockerName: ImageReference.DockerName?

    public init(
        layout: OCILayout, descriptor: Descriptor, tag: String? = nil, dockerName: ImageReference.DockerName? = nil
    ) {
        self.layout = layout
        self.descriptor = descriptor
        self.tag = tag
        self.dockerName = dockerName
    }
}
