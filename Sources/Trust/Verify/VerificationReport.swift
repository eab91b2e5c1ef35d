// SPDX-License-Identifier: Apache-2.0
public import Layout

/// What a verification found for one image: every signature candidate, each with its verdict.
public struct VerificationReport: Sendable, Hashable, Codable {
    /// The image verified (its manifest digest).
    public var image: Digest
    /// What the signatures had to name.
    public var identity: String
    /// Every candidate found, in the order found (legacy `.sig` layers, then referrers).
    public var candidates: [SignatureCandidate]

    public init(image: Digest, identity: String, candidates: [SignatureCandidate]) {
        self.image = image
        self.identity = identity
        self.candidates = candidates
    }

    /// Whether at least one candidate is fully valid: signed by one of the keys, over this image's digest,
    /// naming the required identity.
    public var isVerified: Bool { candidates.contains { $0.verdict == .valid } }

    /// The valid candidates.
    public var valid: [SignatureCandidate] { candidates.filter { $0.verdict == .valid } }

    /// Throws unless the image verified.
    /// - Throws: `TrustError.verificationFailed` with every candidate's reason.
    public func requireVerified() throws(TrustError) {
        guard !isVerified else { return }
        throw .verificationFailed(image: image, reasons: candidates.map(\.reason))
    }

    enum CodingKeys: String, CodingKey { case image, identity, candidates, verified }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        image = try container.decode(Digest.self, forKey: .image)
        identity = try container.decode(String.self, forKey: .identity)
        candidates = try container.decode([SignatureCandidate].self, forKey: .candidates)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(image, forKey: .image)
        try container.encode(identity, forKey: .identity)
        try container.encode(candidates, forKey: .candidates)
        try container.encode(isVerified, forKey: .verified)
    }
}

/// One signature found for an image, and whether it holds.
public struct SignatureCandidate: Sendable, Hashable, Codable {
    /// The forms signatures take.
    public enum Kind: String, Sendable, Hashable, Codable {
        /// A layer of cosign's `sha256-<hex>.sig` manifest (cosign 2, skopeo).
        case legacy
        /// A Sigstore bundle referrer (cosign 3).
        case bundle
        /// A layer of cosign's experimental OCI 1.1 signature referrer.
        case ociReferrer = "oci-referrer"
        /// A notation (Notary Project) signature: found, not verifiable with these keys.
        case notation
    }

    /// The verdicts.
    public enum Verdict: String, Sendable, Hashable, Codable {
        /// Signed by one of the keys, over this image, for the required identity.
        case valid
        /// The signature is made by a key whose hint matches one given, but does not verify: the payload
        /// (or signature, or payload type) was changed after signing.
        case tampered
        /// The signature verifies with none of the keys given.
        case wrongKey = "wrong-key"
        /// Valid, but over another image's digest.
        case otherImage = "other-image"
        /// Valid, but for another repository.
        case otherIdentity = "other-identity"
        /// Not a well-formed signature (bad JSON, base64, media type, too many layers…).
        case malformed
        /// A kind of signature these keys cannot check (notation's X.509 signatures).
        case unsupported
    }

    /// The form.
    public var kind: Kind
    /// The manifest holding it (the `.sig` manifest, the referrer).
    public var manifest: Digest
    /// Its layer in that manifest, for signatures kept one per layer.
    public var layer: Int?
    /// The key hint: the bundle's own, or that of the key that verified it.
    public var keyHint: String?
    /// The digest the signature claims to sign, once read.
    public var signedDigest: Digest?
    /// The identity the signature claims, once read.
    public var signedIdentity: String?
    /// The verdict.
    public var verdict: Verdict
    /// Why, in words.
    public var reason: String

    public init(
        kind: Kind, manifest: Digest, layer: Int? = nil, keyHint: String? = nil, signedDigest: Digest? = nil,
        signedIdentity: String? = nil, verdict: Verdict, reason: String
    ) {
        self.kind = kind
        self.manifest = manifest
        self.layer = layer
        self.keyHint = keyHint
        self.signedDigest = signedDigest
        self.signedIdentity = signedIdentity
        self.verdict = verdict
        self.reason = reason
    }
}
