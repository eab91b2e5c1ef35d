// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
import Testing

@Suite("Manifest parsing keeps bytes and checks the schema")
struct ManifestTests {
    static let config = #"{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2}"#

    @Test func exactBytesAndDigest() throws {
        // Unusual spacing and key order: must be kept, and the digest is over these bytes.
        let text = "{ \"schemaVersion\": 2,\n \"layers\": [], \"config\": \(Self.config), \"x-unknown\": 1 }"
        let bytes = Data(text.utf8)
        let manifest = try Manifest(bytes: bytes)
        #expect(manifest.bytes == bytes)
        #expect(manifest.digest == Digest.sha256(of: bytes))
        #expect(manifest.mediaType == .ociManifest)
        guard case .image(let image) = manifest.kind else { Issue.record("not an image"); return }
        #expect(image.config.size == 2)
    }

    @Test func indexDetectedByMediaType() throws {
        let bytes = Data(#"{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json","manifests":[]}"#.utf8)
        let manifest = try Manifest(bytes: bytes)
        #expect(manifest.mediaType == .dockerManifestList)
        guard case .index = manifest.kind else { Issue.record("not an index"); return }
    }

    @Test func artifactTypeAndSubject() throws {
        let subject = #"{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2}"#
        let bytes = Data(#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":\#(Self.config),"layers":[],"subject":\#(subject)}"#.utf8)
        let manifest = try Manifest(bytes: bytes)
        #expect(manifest.subject?.digest.encoded.hasPrefix("44136fa") == true)
        // No artifactType: a referrer reports its config media type.
        #expect(manifest.artifactType == .ociConfig)
    }

    @Test(arguments: [
        ("not json", "not valid JSON"),
        ("[]", "not a JSON object"),
        (#"{"schemaVersion":1,"layers":[]}"#, "schemaVersion must be 2"),
        (#"{"schemaVersion":2,"mediaType":"text/plain"}"#, "not a manifest type"),
        (#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","layers":[]}"#, "config"),
        (#"{"schemaVersion":2,"config":{"mediaType":"a/b","digest":"sha256:xyz","size":1},"layers":[]}"#, "digest"),
    ])
    func rejectsMalformed(text: String, reason: String) {
        do {
            _ = try Manifest(bytes: Data(text.utf8))
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.description.contains(reason), "\(error.description)")
        }
    }

    @Test func declaredTypeMustMatch() {
        let bytes = Data(#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}"#.utf8)
        #expect(throws: LayoutError.self) { try Manifest(bytes: bytes, declared: .ociManifest) }
    }

    @Test func sizeCap() {
        let bytes = Data(count: Manifest.maxSize + 1)
        #expect(throws: LayoutError.manifestTooLarge(size: Int64(Manifest.maxSize + 1), limit: Manifest.maxSize)) {
            try Manifest(bytes: bytes)
        }
    }
}
