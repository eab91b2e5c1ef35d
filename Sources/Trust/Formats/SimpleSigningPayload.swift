// SPDX-License-Identifier: Apache-2.0
public import Foundation
public import Layout

/// cosign's simple-signing payload, the bytes a legacy signature signs:
///
///     {"critical":{"identity":{"docker-reference":REPO},"image":{"docker-manifest-digest":DIGEST},
///      "type":"cosign container image signature"},"optional":ANNOTATIONS|null}
///
/// written byte for byte as cosign writes it (sigstore/sigstore `pkg/signature/payload`, Go `json.Marshal`),
/// and read strictly, as containers/image reads it: exactly those critical fields, nothing after the object.
///
/// Spec: https://github.com/containers/image/blob/main/docs/containers-signature.5.md#json-data-format and
/// cosign `specs/SIGNATURE_SPEC.md` ("Simple Signing").
public struct SimpleSigningPayload: Sendable, Hashable {
    /// `critical.type` of a cosign signature.
    public static let cosignType = "cosign container image signature"
    /// The largest payload read (a real one is a few hundred bytes).
    public static let maxSize = 1 << 20

    /// `critical.identity.docker-reference`: the repository the signer meant (`registry.example/team/app`).
    public var dockerReference: String
    /// `critical.image.docker-manifest-digest`: the manifest signed.
    public var manifestDigest: Digest
    /// `optional`: the signer's annotations (`--annotation k=v`); nil is written `null`.
    public var optional: [String: String]?

    public init(dockerReference: String, manifestDigest: Digest, optional: [String: String]? = nil) {
        self.dockerReference = dockerReference
        self.manifestDigest = manifestDigest
        self.optional = optional
    }

    /// The payload's bytes as cosign writes them.
    public var bytes: Data {
        let critical = GoJSON.Value.object([
            ("identity", .object([("docker-reference", .string(dockerReference))])),
            ("image", .object([("docker-manifest-digest", .string(manifestDigest.description))])),
            ("type", .string(SimpleSigningPayload.cosignType)),
        ])
        let optionalValue = optional.map { GoJSON.Value.stringMap($0) } ?? .null
        return Data(GoJSON.Value.object([("critical", critical), ("optional", optionalValue)]).bytes)
    }

    /// Parses a payload strictly.
    /// - Throws: `TrustError.malformed` naming what is wrong (not JSON, bytes after the object, a missing or
    ///   extra critical field, another `type`, a bad digest).
    public init(parsing data: Data) throws(TrustError) {
        guard data.count <= SimpleSigningPayload.maxSize else {
            throw .malformed("the payload is \(data.count) bytes, more than \(SimpleSigningPayload.maxSize)")
        }
        let object = try StrictJSON.object(data, what: "the simple-signing payload")
        try StrictJSON.onlyKeys(object, ["critical", "optional"], in: "the payload")
        guard let critical = object["critical"] as? [String: Any] else {
            throw .malformed("the payload has no 'critical' object")
        }
        try StrictJSON.onlyKeys(critical, ["identity", "image", "type"], in: "'critical'")
        guard let type = critical["type"] as? String else { throw .malformed("'critical.type' is missing") }
        guard type == SimpleSigningPayload.cosignType else {
            throw .malformed("'critical.type' is '\(type)', not '\(SimpleSigningPayload.cosignType)'")
        }
        guard let identity = critical["identity"] as? [String: Any] else {
            throw .malformed("'critical.identity' is missing")
        }
        try StrictJSON.onlyKeys(identity, ["docker-reference"], in: "'critical.identity'")
        guard let reference = identity["docker-reference"] as? String else {
            throw .malformed("'critical.identity.docker-reference' is missing")
        }
        guard let image = critical["image"] as? [String: Any], image.count == 1,
            let key = image.keys.first, key.lowercased() == "docker-manifest-digest",
            let digestText = image[key] as? String
        else { throw .malformed("'critical.image' must hold 'docker-manifest-digest' alone") }
        guard let digest = try? Digest(digestText) else {
            throw .malformed("'critical.image.docker-manifest-digest' is not a digest: '\(digestText)'")
        }
        var optional: [String: String]?
        if let fields = object["optional"] as? [String: Any] {
            optional = fields.mapValues { ($0 as? String) ?? "\($0)" }
        } else if let value = object["optional"], !(value is NSNull) {
            throw .malformed("'optional' is not an object")
        }
        self.init(dockerReference: reference, manifestDigest: digest, optional: optional)
    }
}
