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
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static let python = repositoryRoot + "/.venv-test/bin/python"
    static let script = repositoryRoot + "/Tests/interop/trust_interop.py"

    struct Result {
        let status: Int32
        let output: String
    }

    func python(_ arguments: [String]) throws -> Result {
        try #require(
            FileManager.default.isExecutableFile(atPath: Self.python),
            "securesystemslib and sigstore-models are not installed: run scripts/install-test-deps.sh")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.python)
        process.arguments = [Self.script] + arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
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
