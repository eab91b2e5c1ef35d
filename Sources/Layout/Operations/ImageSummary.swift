// SPDX-License-Identifier: Apache-2.0

/// What `inspect` shows about one manifest of a layout.
public struct ImageSummary: Codable, Sendable, Hashable {
    /// Whether the manifest is an image manifest or an index.
    public enum Kind: String, Codable, Sendable, Hashable {
        case image
        case index
    }

    /// The manifest: media type, digest and size.
    public var descriptor: Descriptor
    /// The tags in index.json that point at this manifest, sorted.
    public var tags: [String]
    public var kind: Kind
    /// An image's platform, from its config (or else from the descriptor).
    public var platform: Platform?
    /// An index's children's platforms, in order.
    public var platforms: [Platform]
    /// An image's config, when it is an image config (nil for an artifact's config).
    public var config: ImageConfig?
    /// An image's layers.
    public var layers: [Descriptor]
    /// Bytes of the manifest and everything it references: manifest, config and layers; for an index, the
    /// index and each distinct child manifest and blob once.
    public var totalSize: Int64
    /// The artifact type a referrers list reports for this manifest.
    public var artifactType: MediaType?
    /// The manifest's annotations.
    public var annotations: [String: String]?
    /// The manifest this one refers to, when it is a referrer.
    public var subject: Descriptor?
    /// The manifests in the layout that refer to this one.
    public var referrers: [Descriptor]

    public init(
        descriptor: Descriptor, tags: [String] = [], kind: Kind, platform: Platform? = nil,
        platforms: [Platform] = [], config: ImageConfig? = nil, layers: [Descriptor] = [], totalSize: Int64,
        artifactType: MediaType? = nil, annotations: [String: String]? = nil, subject: Descriptor? = nil,
        referrers: [Descriptor] = []
    ) {
        self.descriptor = descriptor
        self.tags = tags
        self.kind = kind
        self.platform = platform
        self.platforms = platforms
        self.config = config
        self.layers = layers
        self.totalSize = totalSize
        self.artifactType = artifactType
        self.annotations = annotations
        self.subject = subject
        self.referrers = referrers
    }
}
