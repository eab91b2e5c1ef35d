// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout

/// A Sigstore bundle stored as an OCI 1.1 referrer of an image, as cosign 3 stores it
/// (`pkg/oci/remote/write.go`, `WriteAttestationNewBundleFormat`): artifact type and single layer of the
/// bundle media type, the empty config, the image as `subject`, and the annotations naming the bundle's
/// content and predicate type. Written in go-containerregistry's field order, as cosign writes it.
///
/// Spec: cosign `specs/BUNDLE_SPEC.md`.
struct BundleReferrer {
    let bundle: Data
    let predicateType: String
    let subject: Descriptor
    let created: Date

    /// The referrer manifest's bytes.
    var manifest: Data {
        let layer = Descriptor(
            mediaType: TrustMediaTypes.bundleV03, digest: Digest.sha256(of: bundle), size: Int64(bundle.count))
        var config = Descriptor.emptyJSON
        config.data = nil
        config.artifactType = TrustMediaTypes.bundleV03
        let annotations = [
            Annotation.created: BundleReferrer.timestamp(created),
            TrustMediaTypes.bundleContentAnnotation: "dsse-envelope",
            TrustMediaTypes.bundlePredicateTypeAnnotation: predicateType,
        ]
        let subject = Descriptor(mediaType: self.subject.mediaType, digest: self.subject.digest, size: self.subject.size)
        let value = GoJSON.Value.object([
            ("schemaVersion", .int(2)),
            ("mediaType", .string(MediaType.ociManifest.rawValue)),
            ("config", CosignSignatureManifest.goDescriptor(config)),
            ("layers", .array([CosignSignatureManifest.goDescriptor(layer)])),
            ("annotations", .stringMap(annotations)),
            ("subject", CosignSignatureManifest.goDescriptor(subject)),
            ("artifactType", .string(TrustMediaTypes.bundleV03.rawValue)),
        ])
        return Data(value.bytes)
    }

    /// Stores the referrer in `repository` (a layout lists it untagged; a registry without the referrers
    /// API gets it in the subject's fallback tag index).
    /// - Returns: the referrer's descriptor.
    func store(in repository: any ImageRepository) throws -> Descriptor {
        let source = try MemorySource(manifest: manifest, blobs: [bundle, Descriptor.emptyJSONContent], fallback: nil)
        try ImageCopy(from: source, to: repository, options: CopyOptions(referrers: false)).copy(source.descriptor, tag: nil)
        return source.descriptor
    }

    /// RFC 3339 in UTC to the second, as Go's `time.RFC3339` formats `time.Now().UTC()`.
    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }
}
