// SPDX-License-Identifier: Apache-2.0
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Layout
import Testing

@testable import Serve

/// Clients pushing at the same time: two manifests for one tag, over concurrent connections (AsyncHTTPClient),
/// and two real clients (skopeo processes) pushing one image at once.
@Suite("Serve: parallel pushes")
struct ParallelPushTests {
    static let config = Data(#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#.utf8)

    /// A manifest over `layer` and the shared config, told apart by an annotation.
    static func manifest(layer: Data, note: String) throws -> Data {
        try JSONEncoder.ocitool.encode(
            ImageManifest(
                config: Descriptor(mediaType: .ociConfig, digest: .sha256(of: config), size: Int64(config.count)),
                layers: [Descriptor(mediaType: .ociLayer, digest: .sha256(of: layer), size: Int64(layer.count))],
                annotations: ["org.example.client": note]))
    }

    /// One client's push: its blobs (when asked), then its manifest under `reference`; the manifest's status.
    static func push(
        _ client: any TestClientProtocol, _ repository: String, reference: String, manifest: Data, blobs: [Data]
    ) async throws -> HTTPResponse.Status {
        for blob in blobs {
            let response = try await client.execute(
                uri: "/v2/\(repository)/blobs/uploads/?digest=\(Digest.sha256(of: blob))", method: .post,
                body: blob.buffer)
            #expect(response.status == .created, "blob push to \(repository): \(response.body.string)")
        }
        let response = try await client.execute(
            uri: "/v2/\(repository)/manifests/\(reference)", method: .put,
            headers: [.contentType: MediaType.ociManifest.rawValue], body: manifest.buffer)
        #expect(response.status == .created, "manifest push to \(repository):\(reference): \(response.body.string)")
        return response.status
    }

    /// Two clients push different manifests to the same tag at once, many times, while a third tags other
    /// manifests of the repository, and the same race runs in a repository that neither client has created yet.
    /// Every PUT gets 201, the tag names one of the two, both stay pullable by digest, no other tag is lost, and
    /// fsck finds nothing wrong: under a lock on disk, and with compare-and-swap of index.json in a bucket.
    @Test(arguments: StorageKind.allCases)
    func twoClientsPushingOneTagBothSucceedAndNothingIsLost(storage: StorageKind) async throws {
        let fixture = try await ServeFixture(storage)
        defer { fixture.removeAll() }
        let layer = randomBytes(20_000)
        let iterations = 30
        try await fixture.run(.ahc(.http)) { client in
            let keep = try await client.pushImage(to: "app", tag: "keep", layers: 1)
            _ = try await Self.push(
                client, "app", reference: "seed", manifest: try Self.manifest(layer: layer, note: "seed"),
                blobs: [layer, Self.config])
            for iteration in 0..<iterations {
                let fresh = "fresh/r\(iteration)"
                let first = try Self.manifest(layer: layer, note: "a\(iteration)")
                let second = try Self.manifest(layer: layer, note: "b\(iteration)")
                let other = try Self.manifest(layer: layer, note: "other\(iteration)")
                async let a = Self.push(client, "app", reference: "race", manifest: first, blobs: [])
                async let b = Self.push(client, "app", reference: "race", manifest: second, blobs: [])
                async let c = Self.push(client, "app", reference: "other-\(iteration)", manifest: other, blobs: [])
                async let freshA = Self.push(client, fresh, reference: "race", manifest: first, blobs: [layer, Self.config])
                async let freshB = Self.push(client, fresh, reference: "race", manifest: second, blobs: [layer, Self.config])
                let statuses = try await [a, b, c, freshA, freshB]
                #expect(statuses.allSatisfy { $0 == .created }, "iteration \(iteration): \(statuses)")
                for repository in ["app", fresh] {
                    let winner = try await client.execute(uri: "/v2/\(repository)/manifests/race", method: .get)
                    #expect(winner.status == .ok)
                    #expect(
                        winner.body.data == first || winner.body.data == second,
                        "\(repository):race must be one of the two pushed manifests")
                    for manifest in [first, second] {
                        let byDigest = try await client.execute(
                            uri: "/v2/\(repository)/manifests/\(Digest.sha256(of: manifest))", method: .get)
                        #expect(byDigest.status == .ok && byDigest.body.data == manifest, "a 201 manifest was lost")
                    }
                }
            }
            let tags = try await client.execute(uri: "/v2/app/tags/list", method: .get)
            let listed = try JSONDecoder().decode(TagList.self, from: tags.body.data).tags
            let expected = ["keep", "race", "seed"] + (0..<iterations).map { "other-\($0)" }
            #expect(Set(listed) == Set(expected), "tags listed: \(listed)")
            let kept = try await client.execute(uri: "/v2/app/manifests/keep", method: .get)
            #expect(kept.body.data == keep.manifest)
        }
        let layout = try fixture.store.layout(for: "app")
        let index = try layout.readIndex()
        let refNames = index.manifests.compactMap(\.refName)
        #expect(refNames.count == Set(refNames).count, "each tag is listed once in index.json: \(refNames.sorted())")
        #expect(index.tags.count == iterations + 3)
        for iteration in 0..<iterations {
            let fresh = try fixture.store.layout(for: "fresh/r\(iteration)").readIndex()
            #expect(fresh.tags == ["race"])
            #expect(fresh.manifests.count == 2, "the loser stays listed, untagged")
        }
        try FaultChecks.expectFsckClean(fixture)
    }

    struct TagList: Decodable {
        let tags: [String]
    }
}
