// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
import OCICrypto
import Testing
import TestSupport
@testable import Trust

/// ocitool's envelopes and bundles against independent implementations: Tests/interop/trust_interop.py verifies
/// DSSE envelopes with PyPI securesystemslib and validates bundles with sigstore-models, in the venv
/// scripts/install-test-deps.sh creates (.venv-test/ at the repository root).
@Suite("Trust: Python interop")
struct TrustInteropTests {
    static let script = InteropScript("trust_interop.py")

    /// Runs the script with `arguments`; its stdout (stderr goes to the test's).
    func python(_ arguments: [String]) throws -> InteropScript.Result {
        try #require(
            InteropScript.isInstalled,
            "securesystemslib and sigstore-models are not installed: run scripts/install-test-deps.sh")
        return try Self.script.run(arguments)
    }

    /// Writes files into a scratch directory; returns their paths.
    func files(_ contents: [String: Data]) throws -> [String: String] {
        let directory = TestScratch.directory("trust-interop")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var paths: [String: String] = [:]
        for (name, data) in contents {
            let path = directory.appendingPathComponent(name).path
            try data.write(to: URL(fileURLWithPath: path))
            paths[name] = path
        }
        return paths
    }

    static let keyKinds: [KeyAlgorithm] = [.ecdsaP256, .ecdsaP384, .ed25519, .rsa(bits: 2048)]

    /// The `.att` layer ocitool writes, for each key kind, verifies in securesystemslib; altered, it does not.
    @Test(arguments: keyKinds)
    func securesystemslibVerifiesTheAttestationEnvelope(kind: KeyAlgorithm) throws {
        let layout = try TrustFixtures.layout()
        let image = try TrustFixtures.image(in: layout, tag: "1.0")
        let key = try PrivateKey.generate(kind)
        let attested = try ImageAttester(key: key).attest(
            image, in: LayoutEndpoint(layout), predicate: AttestTests.sbom, predicateType: "https://spdx.dev/Document",
            identity: TrustFixtures.identity, format: .legacy)
        let manifest = try layout.manifest(try layout.resolve(.digest(try #require(attested.legacyManifest))))
        guard case .image(let signatures) = manifest.kind else { throw TrustError.malformed("not an image") }
        let envelope = try layout.readBlob(signatures.layers[0].digest)
        var altered = try DSSEEnvelope(parsing: envelope)
        altered.payloadType = "application/json"
        let paths = try files(["envelope.json": envelope, "altered.json": altered.json, "key.pem": Data(key.publicKey.pem.utf8)])
        let verified = try python(["dsse", try #require(paths["envelope.json"]), try #require(paths["key.pem"])])
        #expect(verified.status == 0)
        #expect(verified.output == "application/vnd.in-toto+json\n")
        let rejected = try python(["dsse", try #require(paths["altered.json"]), try #require(paths["key.pem"])])
        #expect(rejected.status == 1)
    }

    /// The bundle ocitool stores passes sigstore-models' strict schema, and its envelope verifies.
    @Test func sigstoreModelsValidatesTheBundle() throws {
        let layout = try TrustFixtures.layout()
        let image = try TrustFixtures.image(in: layout, tag: "1.0")
        let key = try TrustFixtures.key()
        let signed = try ImageSigner(key: key).sign(
            image, in: LayoutEndpoint(layout), identity: TrustFixtures.identity, format: .bundle)
        let referrer = try layout.manifest(try layout.resolve(.digest(try #require(signed[0].bundleReferrer))))
        guard case .image(let manifest) = referrer.kind else { throw TrustError.malformed("not an image") }
        #expect(manifest.artifactType == TrustMediaTypes.bundleV03)
        #expect(manifest.config.mediaType == .ociEmpty)
        #expect(manifest.subject?.digest == image.digest)
        let bundle = try layout.readBlob(manifest.layers[0].digest)
        let wrongType = Data(
            String(decoding: bundle, as: UTF8.self).replacingOccurrences(
                of: TrustMediaTypes.bundleV03.rawValue, with: "application/vnd.dev.sigstore.bundle+json;version=9").utf8)
        let paths = try files(["bundle.json": bundle, "wrong.json": wrongType, "key.pem": Data(key.publicKey.pem.utf8)])
        let valid = try python(["bundle", try #require(paths["bundle.json"]), try #require(paths["key.pem"])])
        #expect(valid.status == 0)
        #expect(valid.output == PredicateType.cosignSign + "\n")
        let invalid = try python(["bundle", try #require(paths["wrong.json"]), try #require(paths["key.pem"])])
        #expect(invalid.status == 1)
    }
}
