// SPDX-License-Identifier: Apache-2.0
public import Foundation
public import Layout

/// The image manifest cosign stores signatures (`sha256-<hex>.sig`) and attestations (`.att`) in: one layer
/// per signature, its payload as the blob, the base64 signature in the layer's
/// `dev.cosignproject.cosign/signature` annotation; a config as go-containerregistry writes one for
/// `empty.Image` with those layers appended. Written byte for byte as cosign writes it (Go field order), so
/// the digests match cosign's for the same signatures.
///
/// Spec: cosign `specs/SIGNATURE_SPEC.md` ("OCI Image Manifest V1"), `pkg/oci/empty`, `pkg/oci/mutate`.
public struct CosignSignatureManifest: Sendable, Hashable {
    /// The most layers (signatures) one manifest may hold: cosign's own limit (`pkg/oci/mutate` `maxLayers`).
    public static let maxLayers = 1000

    /// The manifest's media type (cosign writes OCI; older cosign wrote Docker's).
    public var mediaType: MediaType
    /// The signature layers, oldest first.
    public var layers: [Descriptor]

    public init(mediaType: MediaType = .ociManifest, layers: [Descriptor]) {
        self.mediaType = mediaType
        self.layers = layers
    }

    /// Reads an existing signature manifest (to append to it).
    /// - Throws: `TrustError.malformed` for an index or past `maxLayers`.
    public init(_ manifest: Manifest) throws(TrustError) {
        guard case .image(let image) = manifest.kind else {
            throw .malformed("the signature manifest is an index, not an image manifest")
        }
        guard image.layers.count <= CosignSignatureManifest.maxLayers else {
            throw .malformed(
                "the signature manifest has \(image.layers.count) layers, more than cosign's limit of "
                    + "\(CosignSignatureManifest.maxLayers)")
        }
        self.init(mediaType: manifest.mediaType, layers: image.layers)
    }

    /// The config blob: `{"architecture":"","created":"0001-01-01T00:00:00Z","history":[…],"os":"",
    /// "rootfs":{"type":"layers","diff_ids":[…]},"config":{}}`, one zero-time history entry and one diff ID
    /// (the layer's own digest, the payload being uncompressed) per layer.
    public var config: Data {
        let zero = GoJSON.Value.string("0001-01-01T00:00:00Z")
        let value = GoJSON.Value.object([
            ("architecture", .string("")),
            ("created", zero),
            ("history", .array(layers.map { _ in .object([("created", zero)]) })),
            ("os", .string("")),
            ("rootfs", .object([
                ("type", .string("layers")),
                ("diff_ids", .array(layers.map { .string($0.digest.description) })),
            ])),
            ("config", .object([])),
        ])
        return Data(value.bytes)
    }

    /// The config's media type: OCI's for an OCI manifest, Docker's for a Docker one.
    public var configMediaType: MediaType { mediaType == .dockerManifest ? .dockerConfig : .ociConfig }

    /// The config's descriptor.
    public var configDescriptor: Descriptor {
        let config = self.config
        return Descriptor(mediaType: configMediaType, digest: Digest.sha256(of: config), size: Int64(config.count))
    }

    /// The manifest bytes (go-containerregistry's `v1.Manifest` field order).
    public var bytes: Data {
        let value = GoJSON.Value.object([
            ("schemaVersion", .int(2)),
            ("mediaType", .string(mediaType.rawValue)),
            ("config", CosignSignatureManifest.goDescriptor(configDescriptor)),
            ("layers", .array(layers.map(CosignSignatureManifest.goDescriptor))),
        ])
        return Data(value.bytes)
    }

    /// A descriptor in go-containerregistry's `v1.Descriptor` field order (omitting empty fields).
    static func goDescriptor(_ descriptor: Descriptor) -> GoJSON.Value {
        var fields: [(String, GoJSON.Value)] = [
            ("mediaType", .string(descriptor.mediaType.rawValue)),
            ("size", .int(descriptor.size)),
            ("digest", .string(descriptor.digest.description)),
        ]
        if let data = descriptor.data { fields.append(("data", .string(data.base64EncodedString()))) }
        if let urls = descriptor.urls, !urls.isEmpty { fields.append(("urls", .array(urls.map { .string($0) }))) }
        if let annotations = descriptor.annotations, !annotations.isEmpty {
            fields.append(("annotations", .stringMap(annotations)))
        }
        if let artifactType = descriptor.artifactType { fields.append(("artifactType", .string(artifactType.rawValue))) }
        return .object(fields)
    }

    /// `sha256-<hex>.sig`: where cosign keeps the signatures of `digest` (Layout's `Referrer.cosignTags`).
    public static func signatureTag(of digest: Digest) -> String { cosignTag(of: digest, TrustMediaTypes.cosignSignatureArtifact) }

    /// `sha256-<hex>.att`: where cosign keeps the attestations of `digest`.
    public static func attestationTag(of digest: Digest) -> String {
        cosignTag(of: digest, TrustMediaTypes.cosignAttestationArtifact)
    }

    private static func cosignTag(of digest: Digest, _ type: MediaType) -> String {
        Referrer.cosignTags(of: digest).first { $0.artifactType == type }?.tag ?? digest.referrersTag
    }
}
