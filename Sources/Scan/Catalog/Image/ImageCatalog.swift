// SPDX-License-Identifier: Apache-2.0
public import Layout

/// The packages of one image (one platform of an index), as the runtime would see its filesystem.
public struct ImageCatalog: Codable, Hashable, Sendable {
    /// The image manifest's descriptor (digest, media type, size, platform when an index named one).
    public var manifest: Descriptor
    /// The platform: from the index entry, else nil.
    public var platform: Platform?
    /// The distribution from `etc/os-release` (else `usr/lib/os-release`); nil when there is none.
    public var distro: Distro?
    /// The packages, sorted by kind, name, version and location.
    public var packages: [CatalogedPackage]
    /// What was not read, and why (counted and reported, never silent).
    public var skips: [CatalogSkip]
    /// The layer digests, bottom first.
    public var layers: [Digest]
    /// How many layers were read (the rest came from the cache).
    public var layersRead: Int

    public init(
        manifest: Descriptor, platform: Platform?, distro: Distro?, packages: [CatalogedPackage],
        skips: [CatalogSkip], layers: [Digest], layersRead: Int
    ) {
        self.manifest = manifest
        self.platform = platform
        self.distro = distro
        self.packages = packages
        self.skips = skips
        self.layers = layers
        self.layersRead = layersRead
    }
}
