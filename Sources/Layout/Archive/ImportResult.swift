// SPDX-License-Identifier: Apache-2.0

/// What an archive import added to a layout.
public struct ImportResult: Codable, Sendable, Hashable {
    /// The manifests listed in index.json: images first, then referrers (whose descriptors carry
    /// `dev.ocitool.subject`).
    public var images: [ImportedImage]
    /// Blobs (configs and layers; manifests are not counted) that the layout did not have before.
    public var blobsAdded: Int
    /// Their total size.
    public var bytesAdded: Int64
    /// `docker-archive` (docker save, legacy or OCI form) or `oci-archive`.
    public var format: String
    /// Tags that pointed at other manifests before the import.
    public var moved: [TagMove]

    public init(images: [ImportedImage], blobsAdded: Int, bytesAdded: Int64, format: String, moved: [TagMove] = []) {
        self.images = images
        self.blobsAdded = blobsAdded
        self.bytesAdded = bytesAdded
        self.format = format
        self.moved = moved
    }
}

/// One manifest an import listed in index.json.
public struct ImportedImage: Codable, Sendable, Hashable {
    /// The descriptor index.json holds for it (without the tag annotation).
    public var descriptor: Descriptor
    /// The tags now pointing at it.
    public var tags: [String]
    /// Its names in the archive: docker RepoTags or `io.containerd.image.name`.
    public var names: [String]

    public init(descriptor: Descriptor, tags: [String], names: [String]) {
        self.descriptor = descriptor
        self.tags = tags
        self.names = names
    }
}
