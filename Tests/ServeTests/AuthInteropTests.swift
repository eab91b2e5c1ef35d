// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
import Testing

@testable import Serve

/// skopeo (containers/image, the client code of podman and buildah) logs in and copies with credentials, against
/// Basic authentication and against the token service.
@Suite("Serve: skopeo with credentials")
struct AuthInteropTests {
    @Test(arguments: [false, true])
    func skopeoLoginAndCopyWithCredentials(tokenService: Bool) async throws {
        let fixture = ServeFixture()
        defer { fixture.removeAll() }
        let auth = try fixture.auth { auth in
            AuthTests.rules(&auth)
            if tokenService { auth.token = AuthConfiguration.Token(service: "registry.test") }
        }
        let work = fixture.root + "-work"
        let source = try OCILayout.create(at: work + "/source")
        let layer = try source.writeBlob(randomBytes(300_000))
        let config = try source.writeBlob(
            Data(#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#.utf8))
        let manifest = try JSONEncoder.ocitool.encode(
            ImageManifest(
                config: Descriptor(mediaType: .ociConfig, digest: config.digest, size: config.size),
                layers: [Descriptor(mediaType: .ociLayer, digest: layer.digest, size: layer.size)]))
        let pushed = try source.putManifest(manifest, mediaType: .ociManifest, tag: "v1")
        let authFile = work + "/auth.json"
        try await fixture.serve(configure: { $0.auth = auth }) { port, _ in
            let registry = "127.0.0.1:\(port)"
            let login = try await runTool([
                "skopeo", "login", "--tls-verify=false", "--authfile", authFile, "-u", "alice", "-p",
                TestUsers.passwords["alice"] ?? "", registry,
            ])
            #expect(login.status == 0, "\(login.output)")
            let badLogin = try await runTool([
                "skopeo", "login", "--tls-verify=false", "--authfile", work + "/bad.json", "-u", "alice", "-p", "wrong",
                registry,
            ])
            #expect(badLogin.status != 0)
            // Push with the stored login, then with --dest-creds.
            let push = try await runTool([
                "skopeo", "copy", "--preserve-digests", "--dest-tls-verify=false", "--authfile", authFile,
                "oci:\(source.path):v1", "docker://\(registry)/team/app:v1",
            ])
            #expect(push.status == 0, "\(push.output)")
            let creds = try await runTool([
                "skopeo", "copy", "--preserve-digests", "--dest-tls-verify=false", "--dest-creds",
                "bob:\(TestUsers.passwords["bob"] ?? "")", "oci:\(source.path):v1", "docker://\(registry)/team/web:v1",
            ])
            #expect(creds.status == 0, "\(creds.output)")
            // carol may pull but not push.
            let denied = try await runTool([
                "skopeo", "copy", "--dest-tls-verify=false", "--dest-creds",
                "carol:\(TestUsers.passwords["carol"] ?? "")", "oci:\(source.path):v1",
                "docker://\(registry)/team/x:v1",
            ])
            #expect(denied.status != 0)
            let pull = try await runTool([
                "skopeo", "inspect", "--raw", "--tls-verify=false", "--creds",
                "carol:\(TestUsers.passwords["carol"] ?? "")", "docker://\(registry)/team/app:v1",
            ])
            #expect(pull.status == 0, "\(pull.output)")
            #expect(Digest.sha256(of: Data(pull.output.utf8)) == pushed.digest)
        }
        #expect(try fixture.store.layout(for: "team/web").resolve(.tag("v1")).digest == pushed.digest)
    }
}
