// SPDX-License-Identifier: Apache-2.0
public import Foundation
import Layout

/// A Sigstore bundle v0.3 holding a DSSE envelope signed with a key (no certificate, no transparency log: what
/// `cosign sign --key … --tlog-upload=false` writes in cosign 3's bundle format), the key named by its hint.
///
/// Spec: sigstore/protobuf-specs `protos/sigstore_bundle.proto` (`Bundle`, `VerificationMaterial`,
/// `PublicKeyIdentifier`), cosign `specs/BUNDLE_SPEC.md`.
public struct SigstoreBundle: Sendable, Hashable {
    /// The largest bundle read.
    public static let maxSize = 4 << 20

    /// `verificationMaterial.publicKey.hint`: cosign's key hint (base64 SHA-256 of the SPKI DER), if given.
    public var keyHint: String?
    /// `dsseEnvelope`.
    public var envelope: DSSEEnvelope

    public init(keyHint: String?, envelope: DSSEEnvelope) {
        self.keyHint = keyHint
        self.envelope = envelope
    }

    /// The bundle's JSON (protobuf JSON field names, `mediaType` v0.3).
    public var json: Data {
        var material: [(String, GoJSON.Value)] = []
        if let keyHint { material.append(("publicKey", .object([("hint", .string(keyHint))]))) }
        // Empty, but present: protobuf-specs' JSON readers that validate strictly (sigstore-models) require it.
        material.append(("tlogEntries", .array([])))
        let envelope = GoJSON.Value.object([
            ("payload", .string(self.envelope.payload.base64EncodedString())),
            ("payloadType", .string(self.envelope.payloadType)),
            ("signatures", .array(self.envelope.signatures.map { (signature) -> GoJSON.Value in
                var fields: [(String, GoJSON.Value)] = [("sig", .string(signature.sig.base64EncodedString()))]
                if !signature.keyID.isEmpty { fields.append(("keyid", .string(signature.keyID))) }
                return .object(fields)
            })),
        ])
        let value = GoJSON.Value.object([
            ("mediaType", .string(TrustMediaTypes.bundleV03.rawValue)),
            ("verificationMaterial", .object(material)),
            ("dsseEnvelope", envelope),
        ])
        return Data(value.bytes)
    }

    /// Parses a bundle.
    /// - Throws: `TrustError.malformed` for another `mediaType` (only v0.3 is read), a bundle without a DSSE
    ///   envelope, bad base64, missing fields.
    public init(parsing data: Data) throws(TrustError) {
        guard data.count <= SigstoreBundle.maxSize else {
            throw .malformed("the bundle is \(data.count) bytes, more than \(SigstoreBundle.maxSize)")
        }
        let object = try StrictJSON.object(data, what: "the Sigstore bundle")
        let mediaType = object["mediaType"] as? String ?? ""
        guard [TrustMediaTypes.bundleV03.rawValue, TrustMediaTypes.bundleV03Alternate.rawValue].contains(mediaType)
        else {
            throw .malformed(
                "the bundle's mediaType is '\(mediaType)', not \(TrustMediaTypes.bundleV03.rawValue)")
        }
        guard let material = object["verificationMaterial"] as? [String: Any] else {
            throw .malformed("the bundle has no 'verificationMaterial'")
        }
        let hint = (material["publicKey"] as? [String: Any])?["hint"] as? String
        guard let envelope = object["dsseEnvelope"] as? [String: Any] else {
            throw .malformed(
                object["messageSignature"] != nil
                    ? "the bundle holds a message signature, not a DSSE envelope over an image statement"
                    : "the bundle has no 'dsseEnvelope'")
        }
        self.init(keyHint: hint, envelope: try DSSEEnvelope(object: envelope))
    }
}
