// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
import Testing
import TestSupport

@testable import Serve

/// oras-py (the ORAS Python SDK) against a live server: Tests/interop/oras_client.py pushes and pulls artifacts,
/// attaches one with a subject, reads the referrers API and lists tags; this test then checks the store itself
/// and `ocitool discover` on the served layout. oras-py lives in the venv scripts/install-test-deps.sh creates
/// (.venv-test/ at the repository root).
@Suite("Serve: oras interop")
struct OrasInteropTests {
    /// The repository root (this file is Tests/ServeTests/OrasInteropTests.swift).
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    struct Summary: Decodable {
        let artifact: String
        let chunked: String
        let signature: String
        let tags: [String]
    }

    @Test func orasPushesPullsAttachesAndDiscovers() async throws {
        let python = Self.repositoryRoot + "/.venv-test/bin/python"
        try #require(
            FileManager.default.isExecutableFile(atPath: python),
            "oras-py is not installed: run scripts/install-test-deps.sh (it creates .venv-test/ with oras==0.2.43)")
        let fixture = ServeFixture()
        defer { fixture.removeAll() }
        let work = fixture.root + "-work"
        let result = try await fixture.serve { port, _ in
            try await runTool([
                python, Self.repositoryRoot + "/Tests/interop/oras_client.py", "--registry", "127.0.0.1:\(port)",
                "--workdir", work,
            ])
        }
        try #require(result.status == 0, "oras_client.py: \(result.output)")
        let summaryLine = try #require(result.output.split(separator: "\n").last)
        let summary = try JSONDecoder().decode(Summary.self, from: Data(summaryLine.utf8))
        #expect(summary.tags == ["v1", "v1-chunked", "v1-signature"])

        // The store holds what oras pushed, and knows the signature as a referrer of the artifact.
        let layout = try fixture.store.layout(for: "oras/artifact")
        let artifact = try Digest(summary.artifact)
        #expect(try layout.resolve(.tag("v1")).digest == artifact)
        #expect(try layout.resolve(.tag("v1-chunked")).digest == Digest(summary.chunked))
        let referrers = try layout.referrers(of: artifact)
        #expect(referrers.map(\.digest) == [try Digest(summary.signature)])
        #expect(referrers.first?.artifactType?.rawValue == "application/vnd.example.signature.config.v1+json")
        #expect(try layout.check().isClean)

        // `ocitool discover` takes a layout reference (not docker://): run it on the served repository's layout.
        let ocitool = try #require(BuiltBinary.ocitool, "the ocitool binary is not built: run swift build")
        let discover = try await runTool([ocitool, "discover", "--format", "json", "\(layout.path)@\(artifact)"])
        #expect(discover.status == 0, "\(discover.output)")
        #expect(discover.output.contains(summary.signature), "discover lists the signature: \(discover.output)")
        #expect(discover.output.contains("application/vnd.example.signature.config.v1+json"))
    }
}
