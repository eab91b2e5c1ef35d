// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
@testable import Sync
import Testing

/// Tags and deletes in a registry (`RegistryClient.deleteManifest`, `RemoteRegistry` as an `ImageRepository`),
/// and attach through the one artifact path.
@Suite struct RepositoryEditTests {
    @Test func tagUntagAttachAndDeleteAgainstServe() async throws {
        try await InProcessServe.with { serve in
            try await offPool {
                let origin = try SyncFixtures.layout()
                defer { SyncFixtures.remove(origin) }
                let image = try SyncFixtures.image(in: origin, tag: "1.0")
                let remote = serve.repository("team/app")
                try ImageCopy(from: LayoutEndpoint(origin), to: remote).copy(.tag("1.0"), tag: "1.0")
                let client = remote.client

                #expect(try remote.tag("stable", to: image) == nil)
                #expect(try client.manifestDescriptor("team/app", .tag("stable"))?.digest == image.digest)
                #expect(try remote.tag("stable", to: image) == nil, "already there: nothing moves")
                #expect(try remote.untag("stable").digest == image.digest)
                #expect(try client.manifestDescriptor("team/app", .tag("stable")) == nil)
                #expect(try client.manifestDescriptor("team/app", .digest(image.digest)) != nil, "the image stays")
                #expect(throws: SyncError.self) { try remote.untag("stable") }

                let file = SyncFixtures.temporaryDirectory() + "/sbom.json"
                try Data("{}".utf8).write(to: URL(fileURLWithPath: file))
                let sbom = try remote.attach([AttachFile(path: file)], artifactType: SyncFixtures.sbomType, to: image)
                #expect(sbom.attached)
                #expect(try remote.referrers(of: image.digest).map(\.descriptor.digest) == [sbom.descriptor.digest])
                let again = try remote.attach(
                    [AttachFile(path: file)], artifactType: SyncFixtures.sbomType, to: image, reusingEquals: true)
                #expect(!again.attached && again.descriptor.digest == sbom.descriptor.digest)

                let removal = try remote.removeImage(image.digest, withReferrers: true)
                #expect(removal.referrers.map(\.digest) == [sbom.descriptor.digest])
                #expect(try client.manifestDescriptor("team/app", .digest(image.digest)) == nil)
                #expect(try client.manifestDescriptor("team/app", .tag("1.0")) == nil, "its tags went with it")
                #expect(try client.manifestDescriptor("team/app", .digest(sbom.descriptor.digest)) == nil)
                #expect(try client.deleteManifest("team/app", .digest(image.digest)) == false, "404: gone")
            }
        }
    }

    @Test func aRefusedTagDeleteIsExplained() throws {
        let fake = try FakeRegistry()
        defer { fake.stop() }
        let manifest = Data(#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[]}"#.utf8)
        fake.addManifest(manifest, mediaType: .ociManifest, tag: "v1")
        fake.fault.withLock {
            $0 = { request, _ in
                guard request.method == "DELETE" else { return nil }
                return .error(405, code: "UNSUPPORTED", message: "The operation is unsupported.")
            }
        }
        let remote = RemoteRegistry(client: fake.client(), repository: "team/app")
        #expect {
            try remote.untag("v1")
        } throws: { error in
            guard case .unsupported(let host, let reason) = error as? SyncError else { return false }
            return host == fake.host && reason.hasPrefix("does not allow deleting tags")
                && "\(error)".contains("UNSUPPORTED: The operation is unsupported.")
        }
        #expect(fake.requests.contains { $0.method == "DELETE" && $0.path == "/v2/team/app/manifests/v1" })
        #expect {
            try remote.client.deleteManifest("team/app", .digest(Digest.sha256(of: manifest)))
        } throws: { "\($0)".hasPrefix("registry \(fake.host) does not allow deleting manifests") }
    }
}
