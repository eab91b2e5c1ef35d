// SPDX-License-Identifier: Apache-2.0
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Layout
import Testing

@testable import Serve

/// The fast paths of pulls: blob bodies sent from the file (streamed, or with sendfile on a live HTTP/1
/// connection) and manifest responses answered from memory while nothing changed (over a bucket too: there the
/// store changes behind a replica's back). The blob-body tests stay on the file store: they test its file paths.
@Suite("Serve: pull fast paths")
struct FastPathTests {
    /// (live connection, sendfile): the router framework has no connection, so it always streams.
    @Test(arguments: [(false, false), (true, false), (true, true), (false, true)])
    func bigBlobsArriveWholeAndTheConnectionStaysInStep(live: Bool, sendfile: Bool) async throws {
        let fixture = ServeFixture()
        defer { fixture.remove() }
        // Past the inline limit and the streamed chunk size, odd-sized.
        let data = randomBytes(3 << 20 + 5)
        try await fixture.run(live ? .live : .router, configure: { $0.sendfile = sendfile }) { client in
            let digest = try await client.pushBlob(data, to: "app")
            // Twice in a row, then a range, then a small request: each response must be framed exactly.
            for _ in 0..<2 {
                let response = try await client.execute(uri: "/v2/app/blobs/\(digest)", method: .get)
                #expect(response.status == .ok)
                #expect(response.headers[.contentLength] == String(data.count))
                #expect(response.body.data == data)
            }
            let partial = try await client.execute(
                uri: "/v2/app/blobs/\(digest)", method: .get, headers: [.range: "bytes=100000-2999999"])
            #expect(partial.status == .partialContent)
            #expect(partial.headers[.contentRange] == "bytes 100000-2999999/\(data.count)")
            #expect(partial.body.data == data[100000...2_999_999])
            let ping = try await client.execute(uri: "/v2/", method: .get)
            #expect(ping.status == .ok)
            #expect(ping.body.string == "{}")
        }
    }

    @Test(arguments: [false, true])
    func smallBlobsAndSmallRangesAreExact(sendfile: Bool) async throws {
        let fixture = ServeFixture()
        defer { fixture.remove() }
        let data = randomBytes(70_000)
        try await fixture.run(.live, configure: { $0.sendfile = sendfile }) { client in
            let digest = try await client.pushBlob(data, to: "app")
            let whole = try await client.execute(uri: "/v2/app/blobs/\(digest)", method: .get)
            #expect(whole.body.data == data)
            let tail = try await client.execute(
                uri: "/v2/app/blobs/\(digest)", method: .get, headers: [.range: "bytes=-10"])
            #expect(tail.status == .partialContent)
            #expect(tail.body.data == data.suffix(10))
        }
    }

    @Test(arguments: StorageKind.allCases)
    func cachedManifestResponsesMatchTheFirstOne(storage: StorageKind) async throws {
        let fixture = try await ServeFixture(storage)
        defer { fixture.remove() }
        try await fixture.run(.live) { client in
            let image = try await client.pushImage(to: "app", tag: "v1")
            let first = try await client.execute(uri: "/v2/app/manifests/v1", method: .get)
            let second = try await client.execute(uri: "/v2/app/manifests/v1", method: .get)
            for response in [first, second] {
                #expect(response.status == .ok)
                #expect(response.body.data == image.manifest)
                #expect(response.headers[.contentType] == Layout.MediaType.ociManifest.rawValue)
                #expect(response.headers[.contentLength] == String(image.manifest.count))
                #expect(response.headers[.dockerContentDigest] == image.digest.description)
                #expect(response.headers[.eTag] == "\"\(image.digest)\"")
                #expect(response.headers[.dockerDistributionAPIVersion] == "registry/2.0")
            }
            let head = try await client.execute(uri: "/v2/app/manifests/v1", method: .head)
            #expect(head.status == .ok)
            #expect(head.headers[.contentLength] == String(image.manifest.count))
            #expect(head.body.readableBytes == 0)
            // Content negotiation still applies to a cached manifest.
            let docker = try await client.execute(
                uri: "/v2/app/manifests/v1", method: .get,
                headers: [.accept: Layout.MediaType.dockerManifest.rawValue])
            #expect(docker.status == .notFound)
            #expect(docker.errorCode == .manifestUnknown)
        }
    }

    @Test(arguments: StorageKind.allCases)
    func aCachedManifestFollowsItsTagAndItsBlob(storage: StorageKind) async throws {
        let fixture = try await ServeFixture(storage)
        defer { fixture.remove() }
        try await fixture.run { client in
            let old = try await client.pushImage(to: "app", tag: "v1")
            #expect(try await client.execute(uri: "/v2/app/manifests/v1", method: .get).body.data == old.manifest)
            // The tag moves (index.json is replaced): the next pull sees the new manifest.
            let new = try await client.pushImage(to: "app", tag: "v1")
            let moved = try await client.execute(uri: "/v2/app/manifests/v1", method: .get)
            #expect(moved.body.data == new.manifest)
            #expect(moved.headers[.dockerContentDigest] == new.digest.description)
            // The manifest's blob goes (removed behind the server's back, as by another replica's gc) while
            // index.json stays as it was: the pull must not answer from memory.
            let byDigest = "/v2/app/manifests/\(new.digest)"
            #expect(try await client.execute(uri: byDigest, method: .get).status == .ok)
            try fixture.store.layout(for: "app").removeBlob(new.digest)
            for uri in ["/v2/app/manifests/v1", byDigest] {
                let gone = try await client.execute(uri: uri, method: .get)
                #expect(gone.status == .notFound, "\(uri)")
                #expect(gone.errorCode == .manifestUnknown)
            }
        }
    }

    @Test(arguments: [
        ("application/vnd.oci.image.manifest.v1+json", true),
        ("Application/VND.OCI.Image.Manifest.v1+JSON", true),
        ("application/vnd.docker.distribution.manifest.v2+json ,application/vnd.oci.image.manifest.v1+json;q=.9", true),
        ("application/*;q=0.1", true),
        ("*/*", true),
        ("", true),
        ("application/vnd.docker.distribution.manifest.v2+json", false),
        ("application/vnd.oci.image.manifest.v1", false),
        ("application/vnd.oci.image.manifest.v1+jsonx", false),
        ("text/*", false),
        (" , ;q=1, application/vnd.oci.image.index.v1+json", false),
    ])
    func acceptListsAreMatchedLikeDistribution(accept: String, accepted: Bool) {
        let head = HTTPRequest(method: .get, scheme: nil, authority: nil, path: "/", headerFields: [.accept: accept])
        let request = Request(head: head, body: RequestBody(buffer: ByteBuffer()))
        #expect(Registry.accepts(request, Layout.MediaType.ociManifest) == accepted)
    }
}
