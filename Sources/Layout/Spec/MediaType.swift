// SPDX-License-Identifier: Apache-2.0

/// A media type. Open: unknown types round-trip unchanged.
///
/// Spec: https://github.com/opencontainers/image-spec/blob/v1.1.0/media-types.md
public struct MediaType: RawRepresentable, Hashable, Sendable, Codable, ExpressibleByStringLiteral,
    CustomStringConvertible
{
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }

    /// Whether this is a media type as RFC 6838 names them (`type/subtype`, each 1 to 127 of letters, digits and
    /// `!#$&^_.+-`, starting with a letter or digit): the pattern of image-spec's descriptor schema.
    public var isWellFormed: Bool {
        let parts = rawValue.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        return parts.count == 2 && parts.allSatisfy(MediaType.isRestrictedName)
    }

    private static func isRestrictedName(_ name: Substring.UTF8View) -> Bool {
        func isAlphanumeric(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
        }
        guard let first = name.first, isAlphanumeric(first), name.count <= 127 else { return false }
        return name.allSatisfy { isAlphanumeric($0) || "!#$&^_.+-".utf8.contains($0) }
    }

    /// OCI image manifest.
    public static let ociManifest: MediaType = "application/vnd.oci.image.manifest.v1+json"
    /// OCI image index.
    public static let ociIndex: MediaType = "application/vnd.oci.image.index.v1+json"
    /// OCI image config.
    public static let ociConfig: MediaType = "application/vnd.oci.image.config.v1+json"
    /// OCI uncompressed layer.
    public static let ociLayer: MediaType = "application/vnd.oci.image.layer.v1.tar"
    /// OCI gzip layer.
    public static let ociLayerGzip: MediaType = "application/vnd.oci.image.layer.v1.tar+gzip"
    /// OCI zstd layer.
    public static let ociLayerZstd: MediaType = "application/vnd.oci.image.layer.v1.tar+zstd"
    /// The empty JSON descriptor's type (`{}`), used as an artifact's config.
    public static let ociEmpty: MediaType = "application/vnd.oci.empty.v1+json"
    /// Docker schema2 manifest.
    public static let dockerManifest: MediaType = "application/vnd.docker.distribution.manifest.v2+json"
    /// Docker schema2 manifest list.
    public static let dockerManifestList: MediaType = "application/vnd.docker.distribution.manifest.list.v2+json"
    /// Docker container config.
    public static let dockerConfig: MediaType = "application/vnd.docker.container.image.v1+json"
    /// Docker gzip layer.
    public static let dockerLayerGzip: MediaType = "application/vnd.docker.image.rootfs.diff.tar.gzip"
    /// Docker uncompressed layer (as found in `docker save` output).
    public static let dockerLayer: MediaType = "application/vnd.docker.image.rootfs.diff.tar"
    /// Docker foreign (non-distributable) gzip layer.
    public static let dockerForeignLayer: MediaType = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"

    /// An image manifest (OCI or Docker schema2).
    public var isImageManifest: Bool { self == .ociManifest || self == .dockerManifest }
    /// An index (OCI index or Docker manifest list).
    public var isIndex: Bool { self == .ociIndex || self == .dockerManifestList }
    /// Any manifest type whose children a registry must resolve.
    public var isManifest: Bool { isImageManifest || isIndex }
}
