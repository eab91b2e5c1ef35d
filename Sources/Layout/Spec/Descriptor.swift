// SPDX-License-Identifier: Apache-2.0
public import Foundation

/// A content descriptor.
///
/// Spec: https://github.com/opencontainers/image-spec/blob/v1.1.0/descriptor.md
public struct Descriptor: Codable, Hashable, Sendable {
    public var mediaType: MediaType
    public var digest: Digest
    public var size: Int64
    public var urls: [String]?
    public var annotations: [String: String]?
    public var data: Data?
    public var platform: Platform?
    public var artifactType: MediaType?

    public init(
        mediaType: MediaType, digest: Digest, size: Int64, urls: [String]? = nil,
        annotations: [String: String]? = nil, data: Data? = nil, platform: Platform? = nil,
        artifactType: MediaType? = nil
    ) {
        self.mediaType = mediaType
        self.digest = digest
        self.size = size
        self.urls = urls
        self.annotations = annotations
        self.data = data
        self.platform = platform
        self.artifactType = artifactType
    }

    /// The tag this descriptor carries in an index.json (`org.opencontainers.image.ref.name`).
    public var refName: String? { annotations?[Annotation.refName] }
}

/// Well-known annotation keys.
public enum Annotation {
    /// Spec: image-spec annotations.md, the tag of a manifest in an image layout's index.json.
    public static let refName = "org.opencontainers.image.ref.name"
    /// Spec: image-spec annotations.md, creation time (RFC 3339).
    public static let created = "org.opencontainers.image.created"
    /// Spec: image-spec annotations.md, an artifact's title (file name, as oras uses it).
    public static let title = "org.opencontainers.image.title"
    /// Set by containerd/docker: the full image name in an archive's index.json.
    public static let containerdImageName = "io.containerd.image.name"
    /// ocitool's own: on an index.json entry, the subject digest of that referrer manifest, so
    /// `referrers(of:)` answers from index.json alone.
    public static let subject = "dev.ocitool.subject"
}
