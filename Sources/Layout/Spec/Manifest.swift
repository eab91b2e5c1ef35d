// SPDX-License-Identifier: Apache-2.0
public import Foundation

/// A parsed manifest of either kind, together with the exact bytes it was parsed from.
///
/// The bytes are what is stored and what digests cover; the parsed value is only read.
public struct Manifest: Sendable, Hashable {
    /// The two manifest shapes.
    public enum Kind: Sendable, Hashable {
        case image(ImageManifest)
        case index(ImageIndex)
    }

    /// Largest manifest ocitool reads or accepts (as distribution and zot do).
    public static let maxSize = 4 * 1024 * 1024

    /// The exact bytes.
    public let bytes: Data
    /// The parsed content.
    public let kind: Kind
    /// The media type: the JSON `mediaType` field, else the one the caller declared.
    public let mediaType: MediaType

    /// Parses manifest bytes, checking the JSON, the schema version and the media type.
    /// - Parameters:
    ///   - bytes: the exact manifest bytes.
    ///   - declared: the media type from a descriptor or Content-Type, if any.
    /// - Throws: `LayoutError.manifestInvalid` with the reason.
    public init(bytes: Data, declared: MediaType? = nil) throws(LayoutError) {
        guard bytes.count <= Manifest.maxSize else {
            throw .manifestTooLarge(size: Int64(bytes.count), limit: Manifest.maxSize)
        }
        let object: [String: Any]
        do {
            guard let parsed = try JSONSerialization.jsonObject(with: bytes) as? [String: Any] else {
                throw LayoutError.manifestInvalid("manifest is not a JSON object")
            }
            object = parsed
        } catch let error as LayoutError {
            throw error
        } catch {
            throw .manifestInvalid("manifest is not valid JSON")
        }
        guard object["schemaVersion"] as? Int == 2 else {
            throw .manifestInvalid("schemaVersion must be 2")
        }
        let field = (object["mediaType"] as? String).map(MediaType.init(rawValue:))
        if let field, let declared, field != declared {
            throw .manifestInvalid("mediaType \(field) does not match the declared \(declared)")
        }
        let isIndex: Bool
        if let type = field ?? declared {
            guard type.isManifest else { throw .manifestInvalid("media type \(type) is not a manifest type") }
            isIndex = type.isIndex
        } else {
            isIndex = object["manifests"] != nil && object["config"] == nil
        }
        let decoder = JSONDecoder()
        do {
            if isIndex {
                kind = .index(try decoder.decode(ImageIndex.self, from: bytes))
            } else {
                kind = .image(try decoder.decode(ImageManifest.self, from: bytes))
            }
        } catch {
            throw .manifestInvalid("manifest does not match the \(isIndex ? "index" : "image manifest") schema: \(Manifest.describe(error))")
        }
        self.bytes = bytes
        self.mediaType = field ?? declared ?? (isIndex ? .ociIndex : .ociManifest)
        try checkMediaTypes()
    }

    /// The spec requires every descriptor's media type and the artifact type to be RFC 6838 media types.
    private func checkMediaTypes() throws(LayoutError) {
        if let artifactType = explicitArtifactType, !artifactType.isWellFormed {
            throw .manifestInvalid("artifactType '\(artifactType)' is not a media type (RFC 6838: type/subtype)")
        }
        for descriptor in references + (subject.map { [$0] } ?? []) where !descriptor.mediaType.isWellFormed {
            throw .manifestInvalid(
                "the descriptor of \(descriptor.digest) has the media type '\(descriptor.mediaType)', which is not a "
                    + "media type (RFC 6838: type/subtype)")
        }
    }

    /// The `artifactType` field itself, when the manifest has one.
    private var explicitArtifactType: MediaType? {
        switch kind {
        case .image(let image): image.artifactType
        case .index(let index): index.artifactType
        }
    }

    /// The digest of the exact bytes.
    public var digest: Digest { Digest.sha256(of: bytes) }

    /// A descriptor for these bytes.
    public var descriptor: Descriptor {
        Descriptor(mediaType: mediaType, digest: digest, size: Int64(bytes.count), artifactType: artifactType)
    }

    /// The subject, if this manifest is a referrer.
    public var subject: Descriptor? {
        switch kind {
        case .image(let image): image.subject
        case .index(let index): index.subject
        }
    }

    /// The artifact type a referrers list reports for this manifest.
    public var artifactType: MediaType? {
        switch kind {
        case .image(let image): image.artifactType ?? (subject != nil ? image.config.mediaType : nil)
        case .index(let index): index.artifactType
        }
    }

    /// The manifest's annotations.
    public var annotations: [String: String]? {
        switch kind {
        case .image(let image): image.annotations
        case .index(let index): index.annotations
        }
    }

    /// Every descriptor this manifest references (config and layers, or child manifests). Not the subject.
    public var references: [Descriptor] {
        switch kind {
        case .image(let image): [image.config] + image.layers
        case .index(let index): index.manifests
        }
    }

    static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            return "missing field '\((context.codingPath + [key]).map(\.stringValue).joined(separator: "."))'"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context),
            DecodingError.dataCorrupted(let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? context.debugDescription : "field '\(path)': \(context.debugDescription)"
        default:
            return "\(error)"
        }
    }
}
