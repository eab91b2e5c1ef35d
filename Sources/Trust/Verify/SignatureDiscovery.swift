// SPDX-License-Identifier: Apache-2.0
import Layout

/// A manifest that holds signatures of an image, by the form it takes.
enum FoundSignature: Sendable, Hashable {
    /// cosign's `sha256-<hex>.sig` manifest.
    case legacy(Descriptor)
    /// cosign's experimental OCI 1.1 signature referrer.
    case ociReferrer(Descriptor)
    /// A Sigstore bundle referrer (a signature, or an attestation when its predicate type says so).
    case bundle(Descriptor)
    /// A notation signature referrer.
    case notation(Descriptor)

    var descriptor: Descriptor {
        switch self {
        case .legacy(let descriptor), .ociReferrer(let descriptor), .bundle(let descriptor), .notation(let descriptor):
            descriptor
        }
    }
}

/// Finds the manifests holding an image's signatures and attestations in a source.
enum SignatureDiscovery {
    /// Every signature manifest of `image`: the legacy tag first, then the referrers that are signatures
    /// (bundle referrers whose predicate type annotation names an attestation are left out).
    static func signatures(of image: Digest, in source: any ImageSource) throws -> [FoundSignature] {
        try found(of: image, tag: CosignSignatureManifest.signatureTag(of: image), in: source) { descriptor in
            switch descriptor.artifactType {
            case TrustMediaTypes.bundleV03?, TrustMediaTypes.bundleV03Alternate?:
                let predicate = descriptor.annotations?[TrustMediaTypes.bundlePredicateTypeAnnotation]
                return predicate == nil || predicate == PredicateType.cosignSign ? .bundle(descriptor) : nil
            case TrustMediaTypes.cosignSignatureArtifact?: return .ociReferrer(descriptor)
            case TrustMediaTypes.notationSignature?: return .notation(descriptor)
            default: return nil
            }
        }
    }

    /// The attestation manifests of `image`: the legacy `.att` tag, the bundle referrers (any predicate type
    /// but a signature's), cosign's experimental OCI 1.1 attestation referrers.
    static func attestations(of image: Digest, in source: any ImageSource) throws -> [FoundSignature] {
        try found(of: image, tag: CosignSignatureManifest.attestationTag(of: image), in: source) { descriptor in
            switch descriptor.artifactType {
            case TrustMediaTypes.bundleV03?, TrustMediaTypes.bundleV03Alternate?:
                let predicate = descriptor.annotations?[TrustMediaTypes.bundlePredicateTypeAnnotation]
                return predicate != PredicateType.cosignSign ? .bundle(descriptor) : nil
            case TrustMediaTypes.cosignAttestationArtifact?: return .ociReferrer(descriptor)
            default: return nil
            }
        }
    }

    /// The manifest under the legacy `tag` first, then each referrer of `image` that `classify` keeps (the
    /// tagged manifest is not listed twice when it is also a referrer).
    private static func found(
        of image: Digest, tag: String, in source: any ImageSource, classify: (Descriptor) -> FoundSignature?
    ) throws -> [FoundSignature] {
        var found: [FoundSignature] = []
        if let legacy = try tagged(tag, in: source) { found.append(.legacy(legacy)) }
        for referrer in try referrers(of: image, in: source) {
            let descriptor = referrer.descriptor
            guard descriptor.digest != found.first?.descriptor.digest, let kept = classify(descriptor) else { continue }
            found.append(kept)
        }
        return found
    }

    /// The manifest under `tag`, nil when there is none.
    static func tagged(_ tag: String, in source: any ImageSource) throws -> Descriptor? {
        do {
            return try source.resolve(.tag(tag))
        } catch where error.isEndpointNotFound {
            return nil
        }
    }

    /// The referrers of `image` that are not cosign's legacy tags (those are read by tag).
    private static func referrers(of image: Digest, in source: any ImageSource) throws -> [Referrer] {
        guard source.holdsReferrers else { return [] }
        return try source.referrers(of: image).filter { $0.legacyTag == nil }
    }
}
