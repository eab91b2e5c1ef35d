// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
import OCICrypto
import Testing
@testable import Trust

/// Attesting an image and verifying its attestations, through the library.
@Suite("Trust: attest")
struct AttestTests {
    static let sbom = Data(#"{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT","name":"app","packages":[{"name":"zlib","versionInfo":"1.3"}]}"#.utf8)
    let identity = IdentityRequirement.matchRepository(TrustFixtures.identity)

    @Test(arguments: [SignatureFormat.legacy, .bundle, .both])
    func attestAndVerify(format: SignatureFormat) throws {
        let layout = try TrustFixtures.layout()
        let image = try TrustFixtures.image(in: layout, tag: "1.0")
        let key = try TrustFixtures.key()
        let repository = LayoutEndpoint(layout)
        let spdx = try PredicateType.uri(for: "spdx")
        let attested = try ImageAttester(key: key).attest(
            image, in: repository, predicate: Self.sbom, predicateType: spdx, identity: TrustFixtures.identity,
            format: format)
        #expect((attested.legacyManifest != nil) == (format != .bundle))
        #expect((attested.bundleReferrer != nil) == (format != .legacy))

        let report = try AttestationVerifier(keys: [key.publicKey]).verify(
            image, in: repository, predicateType: spdx, identity: identity)
        #expect(report.isVerified)
        #expect(report.verified.count == (format == .both ? 2 : 1))
        for attestation in report.verified {
            let predicate = try #require(attestation.predicate)
            let object = try JSONSerialization.jsonObject(with: predicate) as? [String: Any]
            #expect(object?["spdxVersion"] as? String == "SPDX-2.3")
            #expect(attestation.keyHint == key.publicKey.hint)
        }
        // The legacy layer is cosign's: a DSSE envelope with the predicateType annotation.
        if format != .bundle {
            let tagged = try layout.resolve(.tag(CosignSignatureManifest.attestationTag(of: image.digest)))
            guard case .image(let manifest) = try layout.manifest(tagged).kind else { return }
            #expect(manifest.layers.map(\.mediaType) == [TrustMediaTypes.dsseEnvelope])
            #expect(manifest.layers[0].annotations == [TrustMediaTypes.signatureAnnotation: "", "predicateType": spdx])
        }
        // Another type is not there; another key verifies nothing; attestations are not signatures.
        let other = try AttestationVerifier(keys: [key.publicKey]).verify(
            image, in: repository, predicateType: "https://cyclonedx.org/bom", identity: identity)
        #expect(!other.isVerified)
        let wrongKey = try AttestationVerifier(keys: [try TrustFixtures.key().publicKey]).verify(
            image, in: repository, predicateType: spdx, identity: identity)
        #expect(!wrongKey.isVerified)
        #expect(Set(wrongKey.candidates.map(\.verdict)) == [.wrongKey])
        let signatures = try SignatureVerifier(keys: [key.publicKey]).verify(image, in: repository, identity: identity)
        #expect(signatures.candidates.isEmpty)
    }

    @Test func predicateMustBeJSON() throws {
        let layout = try TrustFixtures.layout()
        let image = try TrustFixtures.image(in: layout, tag: "1.0")
        let before = TrustFixtures.indexJSON(layout)
        #expect(throws: TrustError.self) {
            try ImageAttester(key: try TrustFixtures.key()).attest(
                image, in: LayoutEndpoint(layout), predicate: Data("not json".utf8),
                predicateType: "https://spdx.dev/Document", identity: TrustFixtures.identity)
        }
        #expect(TrustFixtures.indexJSON(layout) == before)
    }

    @Test func customPredicateIsWrappedAsCosignWrapsIt() throws {
        let layout = try TrustFixtures.layout()
        let image = try TrustFixtures.image(in: layout, tag: "1.0")
        let key = try TrustFixtures.key()
        let custom = try PredicateType.uri(for: "custom")
        try ImageAttester(key: key).attest(
            image, in: LayoutEndpoint(layout), predicate: Data("plain text".utf8), predicateType: custom,
            identity: TrustFixtures.identity, format: .legacy)
        let report = try AttestationVerifier(keys: [key.publicKey]).verify(
            image, in: LayoutEndpoint(layout), predicateType: custom, identity: identity)
        let predicate = try #require(report.verified.first?.predicate)
        let object = try JSONSerialization.jsonObject(with: predicate) as? [String: Any]
        #expect(object?["Data"] as? String == "plain text")
        #expect(object?["Timestamp"] is String)
    }
}
