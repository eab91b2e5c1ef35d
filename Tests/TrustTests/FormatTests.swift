// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
import OCICrypto
import Testing
@testable import Trust

/// The formats, byte for byte, against what cosign and the DSSE spec write.
@Suite("Trust: formats")
struct FormatTests {
    static let digest = try! Digest("sha256:" + String(repeating: "ab", count: 32))

    /// sigstore/sigstore `payload.Cosign.MarshalJSON` with no annotations: `"optional":null`.
    @Test func simpleSigningPayloadIsCosignsBytes() {
        let payload = SimpleSigningPayload(dockerReference: "registry.example/team/app", manifestDigest: Self.digest)
        let expected = #"{"critical":{"identity":{"docker-reference":"registry.example/team/app"},"image":{"docker-manifest-digest":"sha256:"#
            + String(repeating: "ab", count: 32) + #""},"type":"cosign container image signature"},"optional":null}"#
        #expect(String(decoding: payload.bytes, as: UTF8.self) == expected)
    }

    /// Go's `json.Marshal` of a map: keys sorted, `<`, `>` and `&` escaped.
    @Test func annotationsAreWrittenAsGoWritesAMap() throws {
        let payload = SimpleSigningPayload(
            dockerReference: "r.example/a", manifestDigest: Self.digest, optional: ["z": "1", "a": "<b>&\"c\"\n"])
        let text = String(decoding: payload.bytes, as: UTF8.self)
        #expect(text.hasSuffix(#","optional":{"a":"\u003cb\u003e\u0026\"c\"\n","z":"1"}}"#), "\(text)")
        #expect(try SimpleSigningPayload(parsing: payload.bytes) == payload)
    }

    /// The config go-containerregistry writes for cosign's signature image (seen in registries as is).
    @Test func signatureConfigIsCosignsBytes() {
        let layer = Descriptor(mediaType: TrustMediaTypes.simpleSigning, digest: Self.digest, size: 240)
        let config = CosignSignatureManifest(layers: [layer]).config
        let expected = #"{"architecture":"","created":"0001-01-01T00:00:00Z","history":[{"created":"0001-01-01T00:00:00Z"}],"os":"","rootfs":{"type":"layers","diff_ids":["sha256:"#
            + String(repeating: "ab", count: 32) + #""]},"config":{}}"#
        #expect(String(decoding: config, as: UTF8.self) == expected)
    }

    @Test func signatureManifestHasGoFieldOrder() throws {
        let layer = Descriptor(
            mediaType: TrustMediaTypes.simpleSigning, digest: Self.digest, size: 240,
            annotations: [TrustMediaTypes.signatureAnnotation: "MEUCIQ=="])
        let manifest = CosignSignatureManifest(layers: [layer])
        let text = String(decoding: manifest.bytes, as: UTF8.self)
        let config = manifest.configDescriptor
        #expect(
            text == #"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","size":\#(config.size),"digest":"\#(config.digest)"},"layers":[{"mediaType":"application/vnd.dev.cosign.simplesigning.v1+json","size":240,"digest":"\#(Self.digest)","annotations":{"dev.cosignproject.cosign/signature":"MEUCIQ=="}}]}"#)
        // And Layout reads it as the manifest it is.
        let parsed = try Manifest(bytes: manifest.bytes)
        #expect(parsed.references.count == 2)
    }

    /// DSSE protocol.md's example: PAE("http://example.com/HelloWorld", "hello world").
    @Test func paeIsTheSpecsExample() {
        let pae = DSSEEnvelope.pae(payloadType: "http://example.com/HelloWorld", payload: Data("hello world".utf8))
        #expect(String(decoding: pae, as: UTF8.self) == "DSSEv1 29 http://example.com/HelloWorld 11 hello world")
    }

    @Test func envelopeSignsThePAEAndRoundTrips() throws {
        let key = try PrivateKey.generate()
        let envelope = try DSSEEnvelope.sign(Data("{}".utf8), payloadType: "application/vnd.in-toto+json", with: key)
        try key.publicKey.verify(Array(envelope.signatures[0].sig), over: envelope.pae)
        let parsed = try DSSEEnvelope(parsing: envelope.json)
        #expect(parsed == envelope)
        #expect(parsed.isSigned(by: key.publicKey))
        var retyped = parsed
        retyped.payloadType = "application/json"
        #expect(!retyped.isSigned(by: key.publicKey))
    }

    @Test func bundleRoundTrips() throws {
        let key = try PrivateKey.generate()
        let statement = InTotoStatement(
            subjects: [.init(name: "r.example/app", image: Self.digest)], predicateType: PredicateType.cosignSign,
            predicate: Data("{}".utf8))
        let envelope = try DSSEEnvelope.sign(statement.json, payloadType: TrustMediaTypes.inTotoPayloadType, with: key)
        let bundle = SigstoreBundle(keyHint: key.publicKey.hint, envelope: envelope)
        let parsed = try SigstoreBundle(parsing: bundle.json)
        #expect(parsed == bundle)
        let read = try InTotoStatement(parsing: parsed.envelope.payload)
        #expect(read.predicateType == PredicateType.cosignSign)
        #expect(read.subjects.first?.names(Self.digest) == true)
        #expect(read.type == InTotoStatement.typeV1)
    }

    @Test(arguments: [
        ("extra bytes after the object", #"{"critical":{"identity":{"docker-reference":"a/b"},"image":{"docker-manifest-digest":"DIGEST"},"type":"cosign container image signature"},"optional":null}garbage"#),
        ("an extra critical field", #"{"critical":{"identity":{"docker-reference":"a/b"},"image":{"docker-manifest-digest":"DIGEST"},"type":"cosign container image signature","extra":1},"optional":null}"#),
        ("another type", #"{"critical":{"identity":{"docker-reference":"a/b"},"image":{"docker-manifest-digest":"DIGEST"},"type":"atomic container signature"},"optional":null}"#),
        ("no digest", #"{"critical":{"identity":{"docker-reference":"a/b"},"image":{},"type":"cosign container image signature"}}"#),
        ("an extra top-level field", #"{"critical":{"identity":{"docker-reference":"a/b"},"image":{"docker-manifest-digest":"DIGEST"},"type":"cosign container image signature"},"optional":null,"x":2}"#),
    ])
    func strictPayloadReading(case: (String, String)) {
        let text = `case`.1.replacingOccurrences(of: "DIGEST", with: Self.digest.description)
        #expect(throws: TrustError.self, "\(`case`.0)") { try SimpleSigningPayload(parsing: Data(text.utf8)) }
    }

    @Test func predicateTypeNames() throws {
        #expect(try PredicateType.uri(for: "spdx") == "https://spdx.dev/Document")
        #expect(try PredicateType.uri(for: "cyclonedx") == "https://cyclonedx.org/bom")
        #expect(try PredicateType.uri(for: "slsaprovenance") == "https://slsa.dev/provenance/v0.2")
        #expect(try PredicateType.uri(for: "openvex") == "https://openvex.dev/ns")
        #expect(try PredicateType.uri(for: "vuln") == "https://cosign.sigstore.dev/attestation/vuln/v1")
        #expect(try PredicateType.uri(for: "https://example.com/p/v1") == "https://example.com/p/v1")
        #expect(throws: TrustError.self) { try PredicateType.uri(for: "nonsense") }
    }
}
