// SPDX-License-Identifier: Apache-2.0
public import Layout
public import OCICrypto

/// Verifies an image's signatures with public keys and nothing else (no network beyond the image's own
/// source, no transparency log, no certificate authority), in every form the ecosystem writes them:
/// - cosign's legacy `sha256-<hex>.sig` manifest (one signature per layer, simple-signing payload);
/// - Sigstore bundle v0.3 referrers (DSSE over an in-toto statement of type `https://sigstore.dev/cosign/sign/v1`);
/// - cosign's experimental OCI 1.1 signature referrer (the legacy manifest with a `subject`);
/// - notation signatures, listed as found but not verifiable with these keys.
///
/// A candidate is valid when its signature verifies with one of the keys (any of them), the digest it signs is
/// the image's manifest digest, and the identity it claims satisfies the `IdentityRequirement`. Reading is
/// bounded: at most `maxCandidates` candidates per image and `CosignSignatureManifest.maxLayers` layers per
/// signature manifest, each payload or bundle capped in size.
public struct SignatureVerifier: Sendable {
    /// The most signature candidates examined for one image.
    public static let defaultMaxCandidates = 1000

    /// The keys trusted (any of them).
    public let keys: [PublicKey]
    /// The most candidates examined; past it the verification fails with `TrustError.tooManyCandidates`.
    public var maxCandidates: Int

    public init(keys: [PublicKey], maxCandidates: Int = SignatureVerifier.defaultMaxCandidates) {
        self.keys = keys
        self.maxCandidates = maxCandidates
    }

    /// Finds and checks every signature of an image.
    /// - Parameters:
    ///   - descriptor: the image (manifest or index) as resolved in `source`.
    ///   - source: where the image and its signatures are (a layout, an archive read in place, a registry).
    ///   - identity: what the signatures must name.
    /// - Returns: the report; `isVerified` says whether one candidate holds (a report with no valid candidate
    ///   is returned, not thrown: `requireVerified()` throws).
    /// - Throws: `TrustError.tooManyCandidates`; the source's errors other than a missing signature.
    public func verify(_ descriptor: Descriptor, in source: any ImageSource, identity: IdentityRequirement) throws
        -> VerificationReport
    {
        let image = descriptor.digest
        let found = try SignatureDiscovery.signatures(of: image, in: source)
        if found.count > maxCandidates {
            throw TrustError.tooManyCandidates(image: image, found: found.count, limit: maxCandidates)
        }
        let check = CandidateCheck(keys: keys, image: image, identity: identity, source: source)
        var candidates: [SignatureCandidate] = []
        for item in found {
            candidates += try check.evaluate(item)
            if candidates.count > maxCandidates {
                throw TrustError.tooManyCandidates(image: image, found: candidates.count, limit: maxCandidates)
            }
        }
        return VerificationReport(image: image, identity: identity.description, candidates: candidates)
    }
}
