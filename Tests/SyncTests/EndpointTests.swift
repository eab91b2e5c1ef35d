// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
import Sync
import Testing
import TestSupport

/// The library calls the CLI makes: endpoints from references, login/logout, remote summaries.
@Suite struct EndpointTests {
    static let alice = Credentials(username: "alice", password: "pw")

    @Test func loginStoresCheckedCredentialsAndLogoutRemovesThem() throws {
        let fake = try FakeRegistry(auth: .bearer(token: "tok", credentials: EndpointTests.alice))
        defer { fake.stop() }
        let directory = SyncFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let options = RegistryOptions(plainHTTP: true, retry: RetryPolicy(maxAttempts: 1), environment: ["HOME": directory])
        let path = "\(directory)/.docker/config.json"

        #expect(throws: SyncError.self) {
            try RegistryLogin.login(registry: fake.host, credentials: Credentials(username: "alice", password: "bad"), options: options)
        }
        #expect(!FileManager.default.fileExists(atPath: path))

        #expect(try RegistryLogin.login(registry: fake.host, credentials: EndpointTests.alice, options: options) == path)
        #expect(try AuthFile(path: path).credentials(for: fake.host) == EndpointTests.alice)
        // The stored credentials are found for later commands.
        #expect(try options.configuration(registry: fake.host).credentials == EndpointTests.alice)
        #expect(try RegistryLogin.logout(registry: fake.host, options: options) == path)
        #expect(try options.configuration(registry: fake.host).credentials == nil)
        #expect(try RegistryLogin.logout(registry: fake.host, options: options) == nil)
    }

    @Test func endpointsCopyWithCredentialsFromTheAuthFile() throws {
        let fake = try FakeRegistry(auth: .basic(EndpointTests.alice))
        defer { fake.stop() }
        let source = try SyncFixtures.layout()
        defer { SyncFixtures.remove(source) }
        let image = try SyncFixtures.image(in: source, tag: "1.0")
        let authFile = (source.path as NSString).deletingLastPathComponent + "/auth.json"
        try AuthFile(path: authFile).store(EndpointTests.alice, for: fake.host)
        let options = RegistryOptions(authFile: authFile, plainHTTP: true, environment: [:])
        let target = (source.path as NSString).deletingLastPathComponent + "/pulled"

        let (from, selector) = try ImageEndpoint.source(try ImageReference(parsing: "\(source.path):1.0"), registry: options)
        let (to, tag) = try ImageEndpoint.destination(try ImageReference(parsing: "docker://\(fake.host)/team/app:2.0"), registry: options)
        #expect(selector == .tag("1.0"))
        #expect(tag == .tag("2.0"))
        try ImageCopy(from: from, to: to).copy(selector, tag: "2.0")

        let (remote, remoteSelector) = try ImageEndpoint.source(try ImageReference(parsing: "docker://\(fake.host)/team/app:2.0"), registry: options)
        let (layout, _) = try ImageEndpoint.destination(try ImageReference(parsing: target), registry: options)
        let pulled = try ImageCopy(from: remote, to: layout).copy(remoteSelector, tag: "2.0")
        #expect(pulled.descriptor.digest == image.digest)
        // Archives are endpoints too: one that does not exist is a Layout error naming the file.
        #expect { try ImageEndpoint.source(try ImageReference(parsing: "oci-archive:/nonexistent/x.tar"), registry: options) }
            throws: { "\($0)".contains("/nonexistent/x.tar") }
    }

    @Test(.enabled(if: DockerRegistry.isAvailable)) func remoteSummariesMatchLayoutSummaries() throws {
        let registry = try DockerRegistry()
        defer { registry.stop() }
        let source = try SyncFixtures.layout()
        defer { SyncFixtures.remove(source) }
        let image = try SyncFixtures.image(in: source, tag: "1.0")
        try SyncFixtures.attachSBOMAndSignatures(in: source, to: image)
        let index = try SyncFixtures.multiArch(in: source, tag: "multi")
        let remote = registry.repository("inspect")
        try ImageCopy(from: LayoutEndpoint(source), to: remote).copy(.tag("1.0"), tag: "1.0")
        try ImageCopy(from: LayoutEndpoint(source), to: remote, options: CopyOptions(all: true)).copy(.tag("multi"), tag: "multi")

        for (tag, descriptor) in [("1.0", image), ("multi", index)] {
            let local = try source.summary(of: descriptor)
            let remoteSummary = try ImageSummary(of: try remote.resolve(.tag(tag)), in: remote, tags: [tag])
            #expect(remoteSummary.kind == local.kind)
            #expect(remoteSummary.totalSize == local.totalSize)
            #expect(remoteSummary.platforms == local.platforms)
            #expect(remoteSummary.config == local.config)
            #expect(remoteSummary.layers == local.layers)
            #expect(Set(remoteSummary.referrers.map(\.digest)) == Set(local.referrers.map(\.digest)))
        }
    }
}
