// SPDX-License-Identifier: Apache-2.0
public import Foundation
public import OCICrypto

/// A DSSE envelope: a payload, its type, and signatures over the pre-authentication encoding of both.
///
/// Spec: https://github.com/secure-systems-lab/dsse/blob/v1.0.0/protocol.md and envelope.md.
public struct DSSEEnvelope: Sendable, Hashable {
    /// One signature: `sig` over `PAE(payloadType, payload)`, and an optional key ID (unauthenticated).
    public struct Signature: Sendable, Hashable {
        public var keyID: String
        public var sig: Data

        public init(keyID: String = "", sig: Data) {
            self.keyID = keyID
            self.sig = sig
        }
    }

    /// What the payload is (`application/vnd.in-toto+json` for a statement).
    public var payloadType: String
    /// The signed bytes.
    public var payload: Data
    /// The signatures.
    public var signatures: [Signature]

    public init(payloadType: String, payload: Data, signatures: [Signature]) {
        self.payloadType = payloadType
        self.payload = payload
        self.signatures = signatures
    }

    /// Signs `payload` with `key`: one signature over the PAE.
    public static func sign(_ payload: Data, payloadType: String, with key: PrivateKey) throws -> DSSEEnvelope {
        let signature = try key.sign(pae(payloadType: payloadType, payload: payload))
        return DSSEEnvelope(payloadType: payloadType, payload: payload, signatures: [Signature(sig: Data(signature))])
    }

    /// `PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body`, lengths as ASCII decimal
    /// byte counts.
    public static func pae(payloadType: String, payload: Data) -> [UInt8] {
        let type = Array(payloadType.utf8)
        return Array("DSSEv1 \(type.count) ".utf8) + type + Array(" \(payload.count) ".utf8) + Array(payload)
    }

    /// The PAE of this envelope's type and payload: what every signature signs.
    public var pae: [UInt8] { DSSEEnvelope.pae(payloadType: payloadType, payload: payload) }

    /// The envelope as in-toto's Go `dsse.Envelope` writes it (the layer of cosign's `.att` manifest):
    /// `{"payloadType":…,"payload":…,"signatures":[{"keyid":…,"sig":…}]}`.
    public var json: Data { Data(goValue.bytes) }

    var goValue: GoJSON.Value {
        .object([
            ("payloadType", .string(payloadType)),
            ("payload", .string(payload.base64EncodedString())),
            ("signatures", .array(signatures.map {
                .object([("keyid", .string($0.keyID)), ("sig", .string($0.sig.base64EncodedString()))])
            })),
        ])
    }

    /// Parses an envelope from its JSON.
    /// - Throws: `TrustError.malformed` when a field is missing, of the wrong type, or not base64.
    public init(parsing data: Data) throws(TrustError) {
        try self.init(object: StrictJSON.object(data, what: "the DSSE envelope"))
    }

    /// Parses an envelope from an already parsed JSON object (inside a bundle).
    init(object: [String: Any]) throws(TrustError) {
        guard let payloadType = object["payloadType"] as? String else {
            throw .malformed("the DSSE envelope has no 'payloadType'")
        }
        guard let payload = object["payload"] as? String else { throw .malformed("the DSSE envelope has no 'payload'") }
        guard let signatures = object["signatures"] as? [[String: Any]], !signatures.isEmpty else {
            throw .malformed("the DSSE envelope has no 'signatures'")
        }
        var parsed: [Signature] = []
        for signature in signatures {
            guard let sig = signature["sig"] as? String else { throw .malformed("a DSSE signature has no 'sig'") }
            parsed.append(Signature(keyID: signature["keyid"] as? String ?? "", sig: try StrictJSON.base64(sig, "sig")))
        }
        self.init(payloadType: payloadType, payload: try StrictJSON.base64(payload, "payload"), signatures: parsed)
    }

    /// Whether one of the signatures verifies with `key` over the PAE.
    public func isSigned(by key: PublicKey) -> Bool {
        let message = pae
        return signatures.contains { SignatureCheck.verifies(Array($0.sig), over: message, with: key) }
    }
}
