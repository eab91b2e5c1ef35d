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
        var found: [FoundSignature] = []
        if let legacy = try tagged(CosignSignatureManifest.signatureTag(of: image), in: source) {
            found.append(.legacy(legacy))
        }
        for referrer in try referrers(of: image, in: source) {
            let descriptor = referrer.descriptor
            guard descriptor.digest != found.first?.descriptor.digest else { continue }
            switch descriptor.artifactType {
            case TrustMediaTypes.bundleV03?, TrustMediaTypes.bundleV03Alternate?:
                let predicate = descriptor.annotations?[TrustMediaTypes.bundlePredicateTypeAnnotation]
                if predicate == nil || predicate == PredicateType.cosignSign { found.append(.bundle(descriptor)) }
            case TrustMediaTypes.cosignSignatureArtifact?: found.append(.ociReferrer(descriptor))
            case TrustMediaTypes.notationSignature?: found.append(.notation(descriptor))
            default: continue
            }
        }
        return found
    }

    /// The attestation manifests of `image`: the legacy `.att` tag, the bundle referrers (any predicate type
    /// but a signature's), cosign's experimental OCI 1.1 attestation referrers.
    static func attestations(of image: Digest, in source: any ImageSource) throws -> [FoundSignature] {
        var found: [FoundSignature] = []
        if let legacy = try tagged(CosignSignatureManifest.attestationTag(of: image), in: source) {
            found.append(.legacy(legacy))
        }
        for referrer in try referrers(of: image, in: source) {
            let descriptor = referrer.descriptor
            guard descriptor.digest != found.first?.descriptor.digest else { continue }
            switch descriptor.artifactType {
            case TrustMediaTypes.bundleV03?, TrustMediaTypes.bundleV03Alternate?:
                if descriptor.annotations?[TrustMediaTypes.bundlePredicateTypeAnnotation] != PredicateType.cosignSign {
                    found.append(.bundle(descriptor))
                }
            case TrustMediaTypes.cosignAttestationArtifact?: found.append(.ociReferrer(descriptor))
            default: continue
            }
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
