// SPDX-License-Identifier: Apache-2.0
public import Foundation
public import Layout
public import OCICrypto

/// What attesting stored.
public struct AttestedImage: Sendable, Hashable, Codable {
    /// The manifest attested.
    public var digest: Digest
    /// The predicate type.
    public var predicateType: String
    /// The `.att` manifest now under `sha256-<hex>.att`, when the legacy form was written.
    public var legacyManifest: Digest?
    /// The bundle referrer, when the bundle form was written.
    public var bundleReferrer: Digest?
}

/// Attests images where they are: an in-toto Statement v1 (subject: the image digest, named by its
/// repository) with a predicate, in a DSSE envelope signed with the key, stored as cosign stores it (a layer
/// `application/vnd.dsse.envelope.v1+json` of the `sha256-<hex>.att` manifest with the `predicateType`
/// annotation) and/or as a Sigstore bundle referrer. Only manifests are read, never a layer.
public struct ImageAttester: Sendable {
    /// The largest predicate read.
    public static let maxPredicateSize = 16 << 20

    /// The signing key.
    public let key: PrivateKey

    public init(key: PrivateKey) { self.key = key }

    /// Attests an image.
    /// - Parameters:
    ///   - descriptor: the manifest, as resolved in `repository`.
    ///   - repository: where it is and where the attestation goes.
    ///   - predicate: the predicate: a JSON object (for the `custom` type, any text, wrapped as cosign wraps it:
    ///     `{"Data": TEXT, "Timestamp": RFC3339}`).
    ///   - predicateType: the predicate type's URI (`PredicateType.uri(for:)` maps cosign's short names).
    ///   - identity: the repository named as the statement subject.
    ///   - format: which forms to write.
    ///   - created: the time recorded (bundle referrer, custom predicate).
    /// - Throws: `TrustError.invalidArgument` for a predicate that is not a JSON object or an identity that is
    ///   no repository; the repository's errors.
    @discardableResult
    public func attest(
        _ descriptor: Descriptor, in repository: any ImageRepository, predicate: Data, predicateType: String,
        identity: String, format: SignatureFormat = .both, created: Date = Date()
    ) throws -> AttestedImage {
        guard DockerReference.isRepository(identity) else {
            throw TrustError.invalidArgument(
                "the identity '\(identity)' is not a repository (e.g. registry.example/team/app)")
        }
        let body = try ImageAttester.predicateJSON(predicate, type: predicateType, created: created)
        let statement = InTotoStatement(
            subjects: [.init(name: identity, image: descriptor.digest)], predicateType: predicateType, predicate: body)
        let envelope = try DSSEEnvelope.sign(statement.json, payloadType: TrustMediaTypes.inTotoPayloadType, with: key)
        var result = AttestedImage(digest: descriptor.digest, predicateType: predicateType)
        if format.writesLegacy {
            let json = envelope.json
            let layer = Descriptor(
                mediaType: TrustMediaTypes.dsseEnvelope, digest: Digest.sha256(of: json), size: Int64(json.count),
                annotations: [TrustMediaTypes.signatureAnnotation: "", TrustMediaTypes.predicateTypeAnnotation: predicateType])
            let writer = SignatureTagWriter(repository: repository) { _, _ in true }
            result.legacyManifest = try writer.append(
                [(layer, json)], tag: CosignSignatureManifest.attestationTag(of: descriptor.digest)
            ).digest
        }
        if format.writesBundle {
            let bundle = SigstoreBundle(keyHint: key.publicKey.hint, envelope: envelope)
            let subject = try ImageSigner(key: key).subjectDescriptor(descriptor, in: repository)
            result.bundleReferrer = try BundleReferrer(
                bundle: bundle.json, predicateType: predicateType, subject: subject, created: created
            ).store(in: repository).digest
        }
        return result
    }

    /// The predicate as the statement embeds it.
    static func predicateJSON(_ predicate: Data, type: String, created: Date) throws(TrustError) -> Data {
        guard predicate.count <= maxPredicateSize else {
            throw .invalidArgument("the predicate is \(predicate.count) bytes, more than \(maxPredicateSize)")
        }
        if type == PredicateType.known.first(where: { $0.name == "custom" })?.uri {
            let text = String(decoding: predicate, as: UTF8.self)
            let value = GoJSON.Value.object([
                ("Data", .string(text)), ("Timestamp", .string(BundleReferrer.timestamp(created))),
            ])
            return Data(value.bytes)
        }
        guard (try? JSONSerialization.jsonObject(with: predicate)) is [String: Any] else {
            throw .invalidArgument("the predicate is not a JSON object (a \(type) predicate must be JSON)")
        }
        return predicate
    }
}
