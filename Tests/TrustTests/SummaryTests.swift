// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
import OCICrypto
import Testing
@testable import Trust

/// What discover shows of signatures and attestations, read without verifying.
@Suite("Trust: signature summaries")
struct SummaryTests {
    @Test func summariesNameRoleFormKeyHintAndPredicateType() throws {
        let layout = try TrustFixtures.layout()
        let image = try TrustFixtures.image(in: layout, tag: "1.0")
        let key = try TrustFixtures.key()
        let source = LayoutEndpoint(layout)
        try ImageSigner(key: key).sign(image, in: source, identity: TrustFixtures.identity, format: .both)
        try ImageAttester(key: key).attest(
            image, in: source, predicate: AttestTests.sbom, predicateType: "https://spdx.dev/Document",
            identity: TrustFixtures.identity, format: .both)
        let summaries = try source.referrers(of: image.digest).compactMap { SignatureSummary.of($0.descriptor, in: source) }
        let hint = key.publicKey.hint
        #expect(summaries.count == 4)
        #expect(summaries.contains(SignatureSummary(role: "signature", kind: .legacy, count: 1)))
        #expect(summaries.contains(SignatureSummary(role: "signature", kind: .bundle, keyHint: hint)))
        #expect(summaries.contains(
            SignatureSummary(role: "attestation", kind: .legacy, predicateTypes: ["https://spdx.dev/Document"], count: 1)))
        #expect(summaries.contains(
            SignatureSummary(role: "attestation", kind: .bundle, keyHint: hint, predicateTypes: ["https://spdx.dev/Document"])))
        // An SBOM attached by hand is none of these.
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("sbom-\(UUID()).json")
        try Data("{}".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let sbom = try layout.attach([AttachFile(path: file.path)], artifactType: "application/spdx+json", to: image)
        #expect(SignatureSummary.of(sbom, in: source) == nil)
    }
}
