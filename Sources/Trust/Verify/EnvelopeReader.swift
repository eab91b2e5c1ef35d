// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
import OCICrypto

/// A DSSE envelope whose signature verified with one of the keys, and the statement it carries.
struct OpenedEnvelope {
    var envelope: DSSEEnvelope
    var statement: InTotoStatement
    /// The hint of the key that verified it.
    var keyHint: String
}

/// Reads DSSE envelopes (in a bundle referrer, or a layer of cosign's `.att` manifest) and checks them: the
/// signature over the PAE with one of the keys, then the payload type, then the statement.
struct EnvelopeReader {
    let source: any ImageSource
    let keys: [PublicKey]

    /// The envelope of a bundle referrer.
    func bundle(_ descriptor: Descriptor) throws -> Result<OpenedEnvelope, CandidateFailure> {
        let manifest: Manifest
        do { manifest = try source.manifest(descriptor) } catch let error as LayoutError {
            return .failure(CandidateFailure(.malformed, "the bundle manifest cannot be read: \(error)"))
        }
        guard case .image(let image) = manifest.kind,
            let layer = image.layers.first(where: {
                $0.mediaType == TrustMediaTypes.bundleV03 || $0.mediaType == TrustMediaTypes.bundleV03Alternate
            })
        else {
            return .failure(CandidateFailure(.malformed, "the bundle referrer has no \(TrustMediaTypes.bundleV03) layer"))
        }
        let data: Data
        let check = CandidateCheck(keys: keys, image: descriptor.digest, identity: .ignore, source: source)
        switch try check.readSmall(layer, limit: SigstoreBundle.maxSize) {
        case .success(let bytes): data = bytes
        case .failure(let failure): return .failure(failure)
        }
        let bundle: SigstoreBundle
        do { bundle = try SigstoreBundle(parsing: data) } catch {
            return .failure(CandidateFailure(.malformed, error.trustReason))
        }
        return open(bundle.envelope, hint: bundle.keyHint)
    }

    /// The envelope of a `.att` layer (its bytes are the envelope's JSON).
    func attestationLayer(_ layer: Descriptor) throws -> Result<OpenedEnvelope, CandidateFailure> {
        let check = CandidateCheck(keys: keys, image: layer.digest, identity: .ignore, source: source)
        let data: Data
        switch try check.readSmall(layer, limit: SigstoreBundle.maxSize) {
        case .success(let bytes): data = bytes
        case .failure(let failure): return .failure(failure)
        }
        let envelope: DSSEEnvelope
        do { envelope = try DSSEEnvelope(parsing: data) } catch {
            return .failure(CandidateFailure(.malformed, error.trustReason))
        }
        return open(envelope, hint: nil)
    }

    /// Verifies an envelope with the keys, then reads its statement.
    func open(_ envelope: DSSEEnvelope, hint: String?) -> Result<OpenedEnvelope, CandidateFailure> {
        guard let key = keys.first(where: { envelope.isSigned(by: $0) }) else {
            if let hint, keys.contains(where: { $0.hint == hint }) {
                return .failure(
                    CandidateFailure(
                        .tampered,
                        "the envelope does not verify with the key \(hint) it names: its payload, payload type or "
                            + "signature was altered", keyHint: hint))
            }
            let named = hint.map { " (it names the key \($0))" } ?? ""
            return .failure(
                CandidateFailure(
                    .wrongKey, "the envelope's signature does not verify with \(keyCount)\(named)", keyHint: hint))
        }
        guard envelope.payloadType == TrustMediaTypes.inTotoPayloadType else {
            return .failure(
                CandidateFailure(
                    .malformed, "the envelope's payload type is '\(envelope.payloadType)', not "
                        + TrustMediaTypes.inTotoPayloadType, keyHint: key.hint))
        }
        do {
            let statement = try InTotoStatement(parsing: envelope.payload)
            return .success(OpenedEnvelope(envelope: envelope, statement: statement, keyHint: key.hint))
        } catch {
            return .failure(CandidateFailure(.malformed, error.trustReason, keyHint: key.hint))
        }
    }

    private var keyCount: String { keys.count == 1 ? "the key given" : "any of the \(keys.count) keys given" }
}
