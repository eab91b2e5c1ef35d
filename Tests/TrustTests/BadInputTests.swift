// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
import OCICrypto
import Testing
@testable import Trust

/// Each bad signature the issue lists is rejected with a precise verdict, in bounded time.
@Suite("Trust: bad input")
struct BadInputTests {
    let identity = IdentityRequirement.matchRepository(TrustFixtures.identity)

    /// A `.sig` manifest with the given layers (payload bytes, base64 signature) under the image's tag.
    static func plantSignatures(_ layers: [(payload: Data, signature: String)], for image: Descriptor, in layout: OCILayout)
        throws
    {
        var descriptors: [Descriptor] = []
        for layer in layers {
            let (digest, size) = try layout.writeBlob(layer.payload)
            descriptors.append(
                Descriptor(
                    mediaType: TrustMediaTypes.simpleSigning, digest: digest, size: size,
                    annotations: [TrustMediaTypes.signatureAnnotation: layer.signature]))
        }
        let manifest = CosignSignatureManifest(layers: descriptors)
        try layout.writeBlob(manifest.config)
        try layout.putManifest(manifest.bytes, mediaType: .ociManifest, tag: CosignSignatureManifest.signatureTag(of: image.digest))
    }

    /// A bundle referrer of `image` holding `bundle` as is.
    static func plantBundle(_ bundle: Data, for image: Descriptor, in layout: OCILayout) throws {
        _ = try BundleReferrer(bundle: bundle, predicateType: PredicateType.cosignSign, subject: image, created: Date())
            .store(in: LayoutEndpoint(layout))
    }

    func verify(_ image: Descriptor, _ layout: OCILayout, _ key: PrivateKey) throws -> VerificationReport {
        try SignatureVerifier(keys: [key.publicKey]).verify(image, in: LayoutEndpoint(layout), identity: identity)
    }

    @Test func signatureOverAnotherDigest() throws {
        let layout = try TrustFixtures.layout()
        let signed = try TrustFixtures.image(in: layout, tag: "a")
        let other = try TrustFixtures.image(in: layout, tag: "b")
        let key = try TrustFixtures.key()
        let result = try ImageSigner(key: key).sign(signed, in: LayoutEndpoint(layout), identity: TrustFixtures.identity, format: .legacy)
        // The valid signature of `a` put under `b`'s tag.
        let sig = try layout.resolve(.digest(try #require(result[0].legacyManifest)))
        try layout.tag(CosignSignatureManifest.signatureTag(of: other.digest), to: sig)
        let report = try verify(other, layout, key)
        #expect(!report.isVerified)
        #expect(report.candidates.map(\.verdict) == [.otherImage])
        #expect(report.candidates[0].signedDigest == signed.digest)
        #expect(report.candidates[0].reason.contains("not \(other.digest)"))
    }

    @Test func payloadWithExtraBytes() throws {
        let layout = try TrustFixtures.layout()
        let image = try TrustFixtures.image(in: layout, tag: "a")
        let key = try TrustFixtures.key()
        var payload = SimpleSigningPayload(dockerReference: TrustFixtures.identity, manifestDigest: image.digest).bytes
        payload.append(contentsOf: Array(#"{"critical":{}}"#.utf8))
        // Signed as is by the right key: the signature is good, the payload is not.
        let signature = Data(try key.sign(Array(payload))).base64EncodedString()
        try Self.plantSignatures([(payload, signature)], for: image, in: layout)
        let report = try verify(image, layout, key)
        #expect(report.candidates.map(\.verdict) == [.malformed])
        #expect(report.candidates[0].reason.contains("bytes after it"), "\(report.candidates[0].reason)")
    }

    @Test func payloadChangedAfterSigning() throws {
        let layout = try TrustFixtures.layout()
        let image = try TrustFixtures.image(in: layout, tag: "a")
        let key = try TrustFixtures.key()
        let original = SimpleSigningPayload(dockerReference: TrustFixtures.identity, manifestDigest: image.digest)
        let signature = Data(try key.sign(Array(original.bytes))).base64EncodedString()
        let altered = SimpleSigningPayload(dockerReference: "evil.example/app", manifestDigest: image.digest).bytes
        try Self.plantSignatures([(altered, signature)], for: image, in: layout)
        #expect(try verify(image, layout, key).candidates.map(\.verdict) == [.wrongKey])
    }

    @Test func payloadBlobThatDoesNotMatchItsDigest() throws {
        let layout = try TrustFixtures.layout()
        let image = try TrustFixtures.image(in: layout, tag: "a")
        let key = try TrustFixtures.key()
        let result = try ImageSigner(key: key).sign(image, in: LayoutEndpoint(layout), identity: TrustFixtures.identity, format: .legacy)
        guard case .image(let manifest) = try layout.manifest(try layout.resolve(.digest(try #require(result[0].legacyManifest)))).kind
        else { return }
        let path = layout.path + "/" + manifest.layers[0].digest.blobPath
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes[bytes.count - 3] ^= 0x01
        try FileManager.default.removeItem(atPath: path)
        try bytes.write(to: URL(fileURLWithPath: path))
        let report = try verify(image, layout, key)
        #expect(report.candidates.map(\.verdict) == [.tampered])
    }

    @Test func bundleWithBadBase64() throws {
        let layout = try TrustFixtures.layout()
        let image = try TrustFixtures.image(in: layout, tag: "a")
        let key = try TrustFixtures.key()
        let bundle = #"{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{"publicKey":{"hint":"x"},"tlogEntries":[]},"dsseEnvelope":{"payload":"not*base64!","payloadType":"application/vnd.in-toto+json","signatures":[{"sig":"MEUCIQ=="}]}}"#
        try Self.plantBundle(Data(bundle.utf8), for: image, in: layout)
        let report = try verify(image, layout, key)
        #expect(report.candidates.map(\.verdict) == [.malformed])
        #expect(report.candidates[0].reason == "'payload' is not valid base64")
    }

    @Test func bundleWithAnotherMediaType() throws {
        let layout = try TrustFixtures.layout()
        let image = try TrustFixtures.image(in: layout, tag: "a")
        let key = try TrustFixtures.key()
        let statement = InTotoStatement(
            subjects: [.init(name: TrustFixtures.identity, image: image.digest)], predicateType: PredicateType.cosignSign,
            predicate: Data("{}".utf8))
        let envelope = try DSSEEnvelope.sign(statement.json, payloadType: TrustMediaTypes.inTotoPayloadType, with: key)
        let good = String(decoding: SigstoreBundle(keyHint: key.publicKey.hint, envelope: envelope).json, as: UTF8.self)
        let bad = good.replacingOccurrences(of: "application/vnd.dev.sigstore.bundle.v0.3+json", with: "application/json")
        try Self.plantBundle(Data(bad.utf8), for: image, in: layout)
        let report = try verify(image, layout, key)
        #expect(report.candidates.map(\.verdict) == [.malformed])
        #expect(report.candidates[0].reason.contains("mediaType is 'application/json'"))
    }

    @Test func envelopeWhosePAETypeDiffers() throws {
        let layout = try TrustFixtures.layout()
        let image = try TrustFixtures.image(in: layout, tag: "a")
        let key = try TrustFixtures.key()
        let statement = InTotoStatement(
            subjects: [.init(name: TrustFixtures.identity, image: image.digest)], predicateType: PredicateType.cosignSign,
            predicate: Data("{}".utf8))
        var envelope = try DSSEEnvelope.sign(statement.json, payloadType: TrustMediaTypes.inTotoPayloadType, with: key)
        envelope.payloadType = "application/vnd.in-toto.other+json"
        try Self.plantBundle(SigstoreBundle(keyHint: key.publicKey.hint, envelope: envelope).json, for: image, in: layout)
        let report = try verify(image, layout, key)
        #expect(report.candidates.map(\.verdict) == [.tampered])
        #expect(report.candidates[0].keyHint == key.publicKey.hint)
    }

    @Test func signatureManifestWithTenThousandLayers() throws {
        let layout = try TrustFixtures.layout()
        let image = try TrustFixtures.image(in: layout, tag: "a")
        let key = try TrustFixtures.key()
        let layers = (0..<10_000).map { index in
            Descriptor(
                mediaType: TrustMediaTypes.simpleSigning, digest: Digest.sha256(of: Data("\(index)".utf8)), size: 200,
                annotations: [TrustMediaTypes.signatureAnnotation: "MEUCIQ=="])
        }
        let manifest = CosignSignatureManifest(layers: layers)
        let (digest, size) = try layout.writeBlob(manifest.bytes)
        try layout.tag(
            CosignSignatureManifest.signatureTag(of: image.digest),
            to: Descriptor(mediaType: .ociManifest, digest: digest, size: size))
        let clock = ContinuousClock()
        let start = clock.now
        let report = try verify(image, layout, key)
        #expect(clock.now - start < .seconds(5))
        #expect(report.candidates.count == 1)
        #expect(report.candidates[0].verdict == .malformed)
        #expect(report.candidates[0].reason.contains("10000 layers, more than cosign's limit of 1000"))
    }

    /// 1,000 candidates (one manifest of 1,000 forged signatures over one payload) are all examined, quickly;
    /// one more and the verification stops with one clear error.
    @Test func aThousandCandidates() throws {
        let layout = try TrustFixtures.layout()
        let image = try TrustFixtures.image(in: layout, tag: "a")
        let key = try TrustFixtures.key()
        let forger = try TrustFixtures.key()
        let payload = SimpleSigningPayload(dockerReference: TrustFixtures.identity, manifestDigest: image.digest).bytes
        let forged = try (0..<1000).map { _ in (payload, Data(try forger.sign(Array(payload))).base64EncodedString()) }
        try Self.plantSignatures(forged, for: image, in: layout)
        let clock = ContinuousClock()
        let start = clock.now
        let report = try verify(image, layout, key)
        #expect(clock.now - start < .seconds(20))
        #expect(report.candidates.count == 1000)
        #expect(Set(report.candidates.map(\.verdict)) == [.wrongKey])
        do {
            try report.requireVerified()
            Issue.record("forged signatures verified")
        } catch {
            // One line, however many candidates.
            #expect(!error.description.contains("\n"))
            #expect(error.description.contains("(1000 candidates)"), "\(error.description)")
        }
        // A bundle on top: 1,001 candidates, past the limit.
        let statement = InTotoStatement(
            subjects: [.init(name: nil, image: image.digest)], predicateType: PredicateType.cosignSign,
            predicate: Data("{}".utf8))
        let envelope = try DSSEEnvelope.sign(statement.json, payloadType: TrustMediaTypes.inTotoPayloadType, with: forger)
        try Self.plantBundle(SigstoreBundle(keyHint: nil, envelope: envelope).json, for: image, in: layout)
        #expect(throws: TrustError.tooManyCandidates(image: image.digest, found: 1001, limit: 1000)) {
            try verify(image, layout, key)
        }
    }

    @Test func notationSignaturesAreListedNotTrusted() throws {
        let layout = try TrustFixtures.layout()
        let image = try TrustFixtures.image(in: layout, tag: "a")
        let signature = FileManager.default.temporaryDirectory.appendingPathComponent("notation-\(UUID()).jws")
        try Data("{}".utf8).write(to: signature)
        defer { try? FileManager.default.removeItem(at: signature) }
        try layout.attach(
            [AttachFile(path: signature.path, mediaType: "application/jose+json")],
            artifactType: TrustMediaTypes.notationSignature, to: image)
        let report = try verify(image, layout, try TrustFixtures.key())
        #expect(report.candidates.map(\.kind) == [.notation])
        #expect(report.candidates.map(\.verdict) == [.unsupported])
        #expect(!report.isVerified)
    }
}
