// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
import OCICrypto

/// Checks the signatures one manifest holds against the keys, the image digest and the identity.
struct CandidateCheck {
    let keys: [PublicKey]
    let image: Digest
    let identity: IdentityRequirement
    let source: any ImageSource

    /// The candidates a found manifest holds (none for a bundle that turns out to be an attestation).
    func evaluate(_ found: FoundSignature) throws -> [SignatureCandidate] {
        switch found {
        case .legacy(let descriptor): return try simpleSigningLayers(of: descriptor, kind: .legacy)
        case .ociReferrer(let descriptor): return try simpleSigningLayers(of: descriptor, kind: .ociReferrer)
        case .bundle(let descriptor): return try bundle(descriptor).map { [$0] } ?? []
        case .notation(let descriptor):
            return [
                SignatureCandidate(
                    kind: .notation, manifest: descriptor.digest, verdict: .unsupported,
                    reason: "notation signature: found, not verifiable with these keys (it needs an X.509 trust store)")
            ]
        }
    }

    // MARK: - Simple signing (legacy tag, experimental OCI referrer)

    private func simpleSigningLayers(of descriptor: Descriptor, kind: SignatureCandidate.Kind) throws
        -> [SignatureCandidate]
    {
        func malformed(_ reason: String) -> [SignatureCandidate] {
            [SignatureCandidate(kind: kind, manifest: descriptor.digest, verdict: .malformed, reason: reason)]
        }
        let manifest: Manifest
        do { manifest = try source.manifest(descriptor) } catch let error as LayoutError {
            return malformed("the signature manifest cannot be read: \(error)")
        }
        let signatures: CosignSignatureManifest
        do { signatures = try CosignSignatureManifest(manifest) } catch { return malformed(error.trustReason) }
        return try signatures.layers.enumerated().map { (index, layer) in
            try simpleSigning(layer, at: index, in: descriptor.digest, kind: kind)
        }
    }

    private func simpleSigning(_ layer: Descriptor, at index: Int, in manifest: Digest, kind: SignatureCandidate.Kind)
        throws -> SignatureCandidate
    {
        var candidate = SignatureCandidate(kind: kind, manifest: manifest, layer: index, verdict: .malformed, reason: "")
        func verdict(_ verdict: SignatureCandidate.Verdict, _ reason: String) -> SignatureCandidate {
            candidate.verdict = verdict
            candidate.reason = reason
            return candidate
        }
        guard layer.mediaType == TrustMediaTypes.simpleSigning else {
            return verdict(.malformed, "layer \(index) is \(layer.mediaType), not a simple-signing payload")
        }
        guard let encoded = layer.annotations?[TrustMediaTypes.signatureAnnotation], !encoded.isEmpty else {
            return verdict(.malformed, "layer \(index) has no \(TrustMediaTypes.signatureAnnotation) annotation")
        }
        guard let signature = Data(base64Encoded: encoded) else {
            return verdict(.malformed, "layer \(index): the signature annotation is not valid base64")
        }
        let payload: Data
        switch try readSmall(layer, limit: SimpleSigningPayload.maxSize) {
        case .success(let data): payload = data
        case .failure(let failure): return verdict(failure.verdict, "layer \(index): \(failure.reason)")
        }
        guard let key = keys.first(where: { SignatureCheck.verifies(Array(signature), over: Array(payload), with: $0) })
        else {
            return verdict(.wrongKey, "the signature does not verify with \(keyCount) (another key made it, or it was altered)")
        }
        candidate.keyHint = key.hint
        let parsed: SimpleSigningPayload
        do { parsed = try SimpleSigningPayload(parsing: payload) } catch { return verdict(.malformed, error.trustReason) }
        candidate.signedDigest = parsed.manifestDigest
        candidate.signedIdentity = parsed.dockerReference
        return conclude(&candidate, digest: parsed.manifestDigest, identity: parsed.dockerReference)
    }

    // MARK: - Sigstore bundles

    private func bundle(_ descriptor: Descriptor) throws -> SignatureCandidate? {
        var candidate = SignatureCandidate(kind: .bundle, manifest: descriptor.digest, verdict: .malformed, reason: "")
        let opened: OpenedEnvelope
        switch try EnvelopeReader(source: source, keys: keys).bundle(descriptor) {
        case .success(let envelope): opened = envelope
        case .failure(let failure):
            candidate.verdict = failure.verdict
            candidate.reason = failure.reason
            candidate.keyHint = failure.keyHint
            return candidate
        }
        candidate.keyHint = opened.keyHint
        guard opened.statement.predicateType == PredicateType.cosignSign else { return nil }
        let subject = opened.statement.subjects.first(where: { $0.names(image) }) ?? opened.statement.subjects[0]
        let signed = subject.digest["sha256"].flatMap { try? Digest("sha256:\($0)") }
        candidate.signedDigest = signed
        candidate.signedIdentity = subject.name
        guard subject.names(image) else {
            candidate.verdict = .otherImage
            candidate.reason = "the signature is over \(signed.map(\.description) ?? "another image"), not \(image)"
            return candidate
        }
        return conclude(&candidate, digest: image, identity: subject.name)
    }

    // MARK: - Shared

    /// The verdict of a candidate whose signature verified: digest first, then identity (a statement without a
    /// subject name claims none, and passes).
    private func conclude(_ candidate: inout SignatureCandidate, digest: Digest, identity claimed: String?)
        -> SignatureCandidate
    {
        if digest != image {
            candidate.verdict = .otherImage
            candidate.reason = "the signature is over \(digest), not \(image)"
        } else if let claimed, !identity.accepts(claimed) {
            candidate.verdict = .otherIdentity
            candidate.reason = "the signature names \(claimed), not the \(identity)"
        } else {
            candidate.verdict = .valid
            candidate.reason = "valid: signed by the key \(candidate.keyHint ?? "given")"
                + (claimed.map { " for \($0)" } ?? "")
        }
        return candidate
    }

    private var keyCount: String { keys.count == 1 ? "the key given" : "any of the \(keys.count) keys given" }

    /// A small blob read whole and verified: a failure is the candidate's verdict, not an error, unless the
    /// source itself fails (a registry that went away).
    func readSmall(_ descriptor: Descriptor, limit: Int) throws -> Result<Data, CandidateFailure> {
        guard descriptor.size <= Int64(limit) else {
            return .failure(CandidateFailure(.malformed, "the blob is \(descriptor.size) bytes, more than \(limit)"))
        }
        do {
            return .success(try source.blobData(descriptor, limit: limit))
        } catch let error as LayoutError {
            switch error {
            case .digestMismatch, .sizeMismatch:
                return .failure(CandidateFailure(.tampered, "the payload does not match its digest (tampered)"))
            case _ where error.isNotFound:
                return .failure(CandidateFailure(.malformed, "the payload blob \(descriptor.digest) is missing"))
            default:
                return .failure(CandidateFailure(.malformed, "the payload cannot be read: \(error)"))
            }
        } catch where error.isEndpointNotFound {
            return .failure(CandidateFailure(.malformed, "the payload blob \(descriptor.digest) is missing"))
        }
    }
}

/// Why a candidate failed before its verdict could be reached otherwise.
struct CandidateFailure: Error {
    var verdict: SignatureCandidate.Verdict
    var reason: String
    var keyHint: String?

    init(_ verdict: SignatureCandidate.Verdict, _ reason: String, keyHint: String? = nil) {
        self.verdict = verdict
        self.reason = reason
        self.keyHint = keyHint
    }
}

extension TrustError {
    /// The reason alone (for a candidate's verdict).
    var reason: String {
        if case .malformed(let reason) = self { return reason }
        return description
    }
}

extension Error {
    /// A `TrustError`'s reason, else the error's description.
    var trustReason: String { (self as? TrustError)?.reason ?? "\(self)" }
}
