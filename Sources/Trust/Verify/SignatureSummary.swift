// SPDX-License-Identifier: Apache-2.0
public import Layout

/// What a referrer is as a signature or attestation, without verifying it (what `ocitool discover` shows):
/// its form, the key hint it names, and the predicate type of an attestation. Reads at most the referrer's
/// manifest and a bundle (capped); anything it cannot read is left out.
public struct SignatureSummary: Sendable, Hashable, Codable {
    /// `signature` or `attestation`.
    public var role: String
    /// The form: legacy, bundle, oci-referrer, notation.
    public var kind: SignatureCandidate.Kind
    /// The key hint a bundle names (legacy signatures name none).
    public var keyHint: String?
    /// The predicate types of an attestation (a `.att` manifest may hold several).
    public var predicateTypes: [String]?
    /// How many signatures or attestations the manifest holds (layers of a `.sig` or `.att` manifest).
    public var count: Int?

    /// The summary of a referrer, nil when it is no signature or attestation.
    /// - Parameters:
    ///   - referrer: the referrer as listed (artifact type, annotations).
    ///   - source: where it is.
    public static func of(_ referrer: Descriptor, in source: any ImageSource) -> SignatureSummary? {
        switch referrer.artifactType {
        case TrustMediaTypes.cosignSignatureArtifact?:
            let manifest = try? source.manifest(referrer)
            return SignatureSummary(
                role: "signature", kind: manifest?.subject == nil ? .legacy : .ociReferrer,
                count: manifest.map { layerAnnotations($0).count })
        case TrustMediaTypes.cosignAttestationArtifact?:
            let manifest = try? source.manifest(referrer)
            let layers = manifest.map(layerAnnotations)
            let types = layers.map { Array(Set($0.compactMap { $0[TrustMediaTypes.predicateTypeAnnotation] })).sorted() }
            return SignatureSummary(
                role: "attestation", kind: manifest?.subject == nil ? .legacy : .ociReferrer, predicateTypes: types,
                count: layers?.count)
        case TrustMediaTypes.bundleV03?, TrustMediaTypes.bundleV03Alternate?:
            var predicate = referrer.annotations?[TrustMediaTypes.bundlePredicateTypeAnnotation]
            let bundle = try? readBundle(referrer, in: source)
            if predicate == nil, let payload = bundle?.envelope.payload {
                predicate = (try? InTotoStatement(parsing: payload))?.predicateType
            }
            let isSignature = predicate == nil || predicate == PredicateType.cosignSign
            return SignatureSummary(
                role: isSignature ? "signature" : "attestation", kind: .bundle, keyHint: bundle?.keyHint,
                predicateTypes: isSignature ? nil : predicate.map { [$0] })
        case TrustMediaTypes.notationSignature?:
            return SignatureSummary(role: "signature", kind: .notation)
        default:
            return nil
        }
    }

    private static func layerAnnotations(_ manifest: Manifest) -> [[String: String]] {
        guard case .image(let image) = manifest.kind, image.layers.count <= CosignSignatureManifest.maxLayers else {
            return []
        }
        return image.layers.map { $0.annotations ?? [:] }
    }

    private static func readBundle(_ referrer: Descriptor, in source: any ImageSource) throws -> SigstoreBundle? {
        guard case .image(let image) = try source.manifest(referrer).kind,
            let layer = image.layers.first(where: { $0.mediaType == TrustMediaTypes.bundleV03 || $0.mediaType == TrustMediaTypes.bundleV03Alternate })
        else { return nil }
        return try SigstoreBundle(parsing: try source.blobData(layer, limit: SigstoreBundle.maxSize))
    }
}
