// SPDX-License-Identifier: Apache-2.0
public import Foundation
public import Layout
public import OCICrypto

/// The forms a signature (or attestation) is stored in.
public enum SignatureFormat: String, Sendable, Hashable, CaseIterable, Codable {
    /// cosign 2's: a layer of the `sha256-<hex>.sig` (`.att`) manifest; what skopeo and containers/image verify.
    case legacy
    /// cosign 3's: a Sigstore bundle v0.3 referrer.
    case bundle
    /// Both.
    case both

    var writesLegacy: Bool { self != .bundle }
    var writesBundle: Bool { self != .legacy }
}

/// What signing stored for one manifest.
public struct SignedImage: Sendable, Hashable, Codable {
    /// The manifest signed.
    public var digest: Digest
    /// The `.sig` manifest now under `sha256-<hex>.sig`, when the legacy form was written.
    public var legacyManifest: Digest?
    /// The bundle referrer, when the bundle form was written.
    public var bundleReferrer: Digest?

    public init(digest: Digest, legacyManifest: Digest? = nil, bundleReferrer: Digest? = nil) {
        self.digest = digest
        self.legacyManifest = legacyManifest
        self.bundleReferrer = bundleReferrer
    }
}

/// Signs images where they are (a layout or a registry) with a private key, in cosign's forms: the legacy
/// simple-signing layer under `sha256-<hex>.sig` and/or a Sigstore bundle referrer whose DSSE envelope signs an
/// in-toto statement of type `https://sigstore.dev/cosign/sign/v1`. Only manifests are read, never a layer.
public struct ImageSigner: Sendable {
    /// The signing key.
    public let key: PrivateKey

    public init(key: PrivateKey) { self.key = key }

    /// Signs an image (and, with `recursive`, every manifest an index lists).
    /// - Parameters:
    ///   - descriptor: the manifest to sign, as resolved in `repository`.
    ///   - repository: where it is and where the signatures go.
    ///   - identity: the repository the signature names (`docker-reference`; the statement subject's name).
    ///   - annotations: the signer's claims (`optional` of the payload; the statement subject's annotations).
    ///   - format: which forms to write.
    ///   - recursive: sign the children of an index too (and theirs).
    ///   - created: the time recorded on a bundle referrer.
    /// - Returns: what was stored, the image first, then its children.
    /// - Throws: `TrustError.invalidArgument` for an identity that is no repository; the repository's errors.
    @discardableResult
    public func sign(
        _ descriptor: Descriptor, in repository: any ImageRepository, identity: String,
        annotations: [String: String] = [:], format: SignatureFormat = .both, recursive: Bool = false,
        created: Date = Date()
    ) throws -> [SignedImage] {
        guard DockerReference.isRepository(identity) else {
            throw TrustError.invalidArgument(
                "the identity '\(identity)' is not a repository (e.g. registry.example/team/app)")
        }
        var targets = [descriptor]
        if recursive { targets += try children(of: descriptor, in: repository) }
        return try targets.map { target in
            var signed = SignedImage(digest: target.digest)
            if format.writesLegacy {
                signed.legacyManifest = try legacy(target, in: repository, identity: identity, annotations: annotations)
            }
            if format.writesBundle {
                signed.bundleReferrer = try bundle(
                    target, in: repository, identity: identity, annotations: annotations, created: created)
            }
            return signed
        }
    }

    /// The simple-signing layer appended to the `.sig` manifest.
    private func legacy(
        _ target: Descriptor, in repository: any ImageRepository, identity: String, annotations: [String: String]
    ) throws -> Digest {
        let payload = SimpleSigningPayload(
            dockerReference: identity, manifestDigest: target.digest, optional: annotations.isEmpty ? nil : annotations
        ).bytes
        let signature = try key.sign(Array(payload))
        let layer = Descriptor(
            mediaType: TrustMediaTypes.simpleSigning, digest: Digest.sha256(of: payload), size: Int64(payload.count),
            annotations: [TrustMediaTypes.signatureAnnotation: Data(signature).base64EncodedString()])
        let publicKey = key.publicKey
        let writer = SignatureTagWriter(repository: repository) { (existing, payload) in
            guard let encoded = existing.annotations?[TrustMediaTypes.signatureAnnotation],
                let signature = Data(base64Encoded: encoded)
            else { return false }
            return SignatureCheck.verifies(Array(signature), over: Array(payload), with: publicKey)
        }
        return try writer.append([(layer, payload)], tag: CosignSignatureManifest.signatureTag(of: target.digest)).digest
    }

    /// The bundle referrer.
    private func bundle(
        _ target: Descriptor, in repository: any ImageRepository, identity: String, annotations: [String: String],
        created: Date
    ) throws -> Digest {
        let statement = InTotoStatement(
            subjects: [.init(name: identity, image: target.digest, annotations: annotations.isEmpty ? nil : annotations)],
            predicateType: PredicateType.cosignSign, predicate: Data("{}".utf8))
        let envelope = try DSSEEnvelope.sign(statement.json, payloadType: TrustMediaTypes.inTotoPayloadType, with: key)
        let bundle = SigstoreBundle(keyHint: key.publicKey.hint, envelope: envelope)
        let subject = try subjectDescriptor(target, in: repository)
        return try BundleReferrer(bundle: bundle.json, predicateType: PredicateType.cosignSign, subject: subject, created: created)
            .store(in: repository).digest
    }

    /// The subject descriptor: media type and size of the manifest as stored.
    func subjectDescriptor(_ target: Descriptor, in repository: any ImageSource) throws -> Descriptor {
        let manifest = try repository.manifest(target)
        return Descriptor(mediaType: manifest.mediaType, digest: target.digest, size: Int64(manifest.bytes.count))
    }

    /// Every manifest an index lists, depth first (an index's children after it).
    private func children(of descriptor: Descriptor, in repository: any ImageRepository) throws -> [Descriptor] {
        guard case .index(let index) = try repository.manifest(descriptor).kind else { return [] }
        var result: [Descriptor] = []
        for child in index.manifests where child.mediaType.isManifest {
            result.append(child)
            result += try children(of: child, in: repository)
        }
        return result
    }
}
