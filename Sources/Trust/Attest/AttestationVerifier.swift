// SPDX-License-Identifier: Apache-2.0
public import Foundation
public import Layout
public import OCICrypto

/// One attestation found for an image, checked.
public struct AttestationCandidate: Sendable, Hashable, Codable {
    /// Where it was found: cosign's `.att` manifest (a layer of it), a bundle referrer, or cosign's
    /// experimental OCI 1.1 attestation referrer.
    public var kind: SignatureCandidate.Kind
    /// The manifest holding it.
    public var manifest: Digest
    /// Its layer, for the `.att` manifest.
    public var layer: Int?
    /// The hint of the key that verified it (or the one a bundle names).
    public var keyHint: String?
    /// The statement's predicate type, once read.
    public var predicateType: String?
    /// The verdict (as for signatures; `otherImage` when no subject is the image).
    public var verdict: SignatureCandidate.Verdict
    /// Why, in words.
    public var reason: String
    /// The verified statement's predicate (JSON), for a valid attestation of the requested type.
    public var predicate: Data?
}

/// What `AttestationVerifier` found for an image.
public struct AttestationReport: Sendable, Hashable, Codable {
    /// The image.
    public var image: Digest
    /// The predicate type asked for (nil: any).
    public var predicateType: String?
    /// Every attestation candidate found, of any type.
    public var candidates: [AttestationCandidate]

    /// The valid attestations of the requested type.
    public var verified: [AttestationCandidate] {
        candidates.filter { $0.verdict == .valid && (predicateType == nil || $0.predicateType == predicateType) }
    }

    /// Whether one attestation of the requested type verified.
    public var isVerified: Bool { !verified.isEmpty }

    /// Throws unless one attestation of the requested type verified.
    public func requireVerified() throws(TrustError) {
        guard !isVerified else { return }
        let relevant = candidates.filter { predicateType == nil || $0.predicateType == predicateType || $0.predicateType == nil }
        throw .verificationFailed(image: image, reasons: relevant.map(\.reason))
    }
}

/// Verifies an image's attestations with public keys: DSSE envelopes from cosign's `.att` manifest, bundle
/// referrers and cosign's experimental attestation referrers, each checked for the key, the payload type, a
/// statement whose subject is the image digest, and the identity its subject names.
public struct AttestationVerifier: Sendable {
    /// The keys trusted (any of them).
    public let keys: [PublicKey]
    /// The most candidates examined.
    public var maxCandidates: Int

    public init(keys: [PublicKey], maxCandidates: Int = SignatureVerifier.defaultMaxCandidates) {
        self.keys = keys
        self.maxCandidates = maxCandidates
    }

    /// Finds and checks the attestations of an image.
    /// - Parameters:
    ///   - descriptor: the image as resolved in `source`.
    ///   - source: where it is.
    ///   - predicateType: the predicate type wanted (its URI); nil for any.
    ///   - identity: what the statement subject's name must be (a subject without a name passes).
    /// - Throws: `TrustError.tooManyCandidates`, the source's errors.
    public func verify(
        _ descriptor: Descriptor, in source: any ImageSource, predicateType: String?, identity: IdentityRequirement
    ) throws -> AttestationReport {
        let image = descriptor.digest
        let found = try SignatureDiscovery.attestations(of: image, in: source)
        let reader = EnvelopeReader(source: source, keys: keys)
        var candidates: [AttestationCandidate] = []
        func add(_ candidate: AttestationCandidate) throws {
            candidates.append(candidate)
            if candidates.count > maxCandidates {
                throw TrustError.tooManyCandidates(image: image, found: candidates.count, limit: maxCandidates)
            }
        }
        for item in found {
            let descriptor = item.descriptor
            var base = AttestationCandidate(
                kind: .bundle, manifest: descriptor.digest, verdict: .malformed, reason: "")
            if case .bundle = item {
                try add(conclude(base, try reader.bundle(descriptor), image: image, identity: identity))
                continue
            }
            base.kind = item == .legacy(descriptor) ? .legacy : .ociReferrer
            let layers: [Descriptor]
            do {
                let manifest = try source.manifest(descriptor)
                layers = try CosignSignatureManifest(manifest).layers
            } catch let error as TrustError {
                base.reason = error.reason
                try add(base)
                continue
            } catch let error as LayoutError {
                base.reason = "the attestation manifest cannot be read: \(error)"
                try add(base)
                continue
            }
            for (index, layer) in layers.enumerated() {
                var candidate = base
                candidate.layer = index
                candidate.predicateType = layer.annotations?[TrustMediaTypes.predicateTypeAnnotation]
                guard layer.mediaType == TrustMediaTypes.dsseEnvelope else {
                    candidate.reason = "layer \(index) is \(layer.mediaType), not a DSSE envelope"
                    try add(candidate)
                    continue
                }
                try add(conclude(candidate, try reader.attestationLayer(layer), image: image, identity: identity))
            }
        }
        return AttestationReport(image: image, predicateType: predicateType, candidates: candidates)
    }

    /// The verdict of a candidate from its opened envelope.
    private func conclude(
        _ candidate: AttestationCandidate, _ opened: Result<OpenedEnvelope, CandidateFailure>, image: Digest,
        identity: IdentityRequirement
    ) -> AttestationCandidate {
        var candidate = candidate
        switch opened {
        case .failure(let failure):
            candidate.verdict = failure.verdict
            candidate.reason = failure.reason
            candidate.keyHint = failure.keyHint
        case .success(let opened):
            let statement = opened.statement
            candidate.keyHint = opened.keyHint
            candidate.predicateType = statement.predicateType
            if let subject = statement.subjects.first(where: { $0.names(image) }) {
                if let name = subject.name, !identity.accepts(name) {
                    candidate.verdict = .otherIdentity
                    candidate.reason = "the attestation names \(name), not the \(identity)"
                } else {
                    candidate.verdict = .valid
                    candidate.reason = "valid \(statement.predicateType) attestation, signed by the key \(opened.keyHint)"
                    candidate.predicate = statement.predicate
                }
            } else {
                candidate.verdict = .otherImage
                candidate.reason = "the attestation's subject is another image, not \(image)"
            }
        }
        return candidate
    }
}
