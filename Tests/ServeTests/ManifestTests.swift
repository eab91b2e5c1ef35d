// SPDX-License-Identifier: Apache-2.0
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Layout
import Testing

@testable import Serve

/// Pushing, pulling and deleting manifests.
@Suite("Serve: manifests")
struct ManifestTests {
    /// A manifest with odd whitespace and key order, referencing one pushed config.
    static func oddManifest(_ client: any TestClientProtocol, repository: String = "app") async throws -> Data {
        let config = Data("{}".utf8)
        let digest = try await client.pushBlob(config, to: repository)
        let text = """
            {   "schemaVersion" : 2,
              "layers":[ ],
            "config": {"size":2,  "digest":"\(digest)" ,"mediaType":"application/vnd.oci.image.config.v1+json"},
              "mediaType":"application/vnd.oci.image.manifest.v1+json"  }\n\n
            """
        return Data(text.utf8)
    }

    @Test(arguments: StorageKind.allCases)
    func manifestRoundTripsByteForByte(storage: StorageKind) async throws {
        let fixture = try await ServeFixture(storage)
        defer { fixture.remove() }
        try await fixture.run { client in
            let bytes = try await ManifestTests.oddManifest(client)
            let digest = Digest.sha256(of: bytes)
            let put = try await client.execute(
                uri: "/v2/app/manifests/v1", method: .put,
                headers: [.contentType: Layout.MediaType.ociManifest.rawValue], body: bytes.buffer)
            #expect(put.status == .created)
            #expect(put.headers[.location] == "/v2/app/manifests/\(digest)")
            #expect(put.headers[.dockerContentDigest] == digest.description)
            for reference in ["v1", digest.description] {
                let get = try await client.execute(uri: "/v2/app/manifests/\(reference)", method: .get)
                #expect(get.status == .ok)
                #expect(get.body.data == bytes)
                #expect(get.headers[.contentType] == Layout.MediaType.ociManifest.rawValue)
                #expect(get.headers[.dockerContentDigest] == digest.description)
                #expect(get.headers[.contentLength] == String(bytes.count))
            }
        }
    }

    /// A manifest whose stored copy was corrupted (on disk, or in the bucket) is a fault of the registry (500),
    /// never served, and never blamed on the request (it used to be 400 DIGEST_INVALID).
    @Test(arguments: StorageKind.allCases)
    func corruptStoredManifestIs500(storage: StorageKind) async throws {
        let fixture = try await ServeFixture(storage)
        defer { fixture.remove() }
        let image = try await fixture.run { client in try await client.pushImage(to: "app", tag: "v1") }
        let bytes = try fixture.corruptBlob(image.digest, in: "app")
        try await fixture.run { client in
            for reference in ["v1", image.digest.description] {
                let get = try await client.execute(uri: "/v2/app/manifests/\(reference)", method: .get)
                #expect(get.status == .internalServerError, "\(reference)")
                #expect(get.body.data != bytes)
                #expect(get.body.string.contains("\"UNKNOWN\""))
            }
        }
    }

    @Test(arguments: StorageKind.allCases)
    func headManifestHasTypeDigestAndLengthButNoBody(storage: StorageKind) async throws {
        let fixture = try await ServeFixture(storage)
        defer { fixture.remove() }
        try await fixture.run(.live) { client in
            let image = try await client.pushImage(to: "app", tag: "v1")
            let head = try await client.execute(uri: "/v2/app/manifests/v1", method: .head)
            #expect(head.status == .ok)
            #expect(head.headers[.contentLength] == String(image.manifest.count))
            #expect(head.headers[.dockerContentDigest] == image.digest.description)
            #expect(head.headers[.contentType] == Layout.MediaType.ociManifest.rawValue)
            #expect(head.body.readableBytes == 0)
        }
    }

    @Test(arguments: StorageKind.allCases)
    func manifestReferencingMissingBlobsIsManifestBlobUnknown(storage: StorageKind) async throws {
        let fixture = try await ServeFixture(storage)
        defer { fixture.remove() }
        let missing = Digest.sha256(of: Data("missing".utf8))
        let manifest = ImageManifest(
            config: Descriptor(mediaType: .ociConfig, digest: missing, size: 7), layers: [])
        let bytes = try JSONEncoder.ocitool.encode(manifest)
        try await fixture.run { client in
            for repository in ["existing", "new"] {
                if repository == "existing" { try await client.pushBlob(randomBytes(5), to: repository) }
                let put = try await client.execute(
                    uri: "/v2/\(repository)/manifests/v1", method: .put,
                    headers: [.contentType: Layout.MediaType.ociManifest.rawValue], body: bytes.buffer)
                #expect(put.status == .badRequest)
                #expect(put.errorCode == .manifestBlobUnknown)
            }
        }
        // The failed push created no repository.
        #expect(fixture.store.repositories() == ["existing"])
    }

    @Test(arguments: StorageKind.allCases)
    func oversizedManifestIs413(storage: StorageKind) async throws {
        let fixture = try await ServeFixture(storage)
        defer { fixture.remove() }
        let bytes = Data(repeating: UInt8(ascii: " "), count: 2048)
        try await fixture.run(configure: { $0.maxManifestSize = 1024 }) { client in
            let put = try await client.execute(
                uri: "/v2/app/manifests/v1", method: .put,
                headers: [.contentType: Layout.MediaType.ociManifest.rawValue], body: bytes.buffer)
            #expect(put.status == .contentTooLarge)
            #expect(put.errorCode == .manifestInvalid)
        }
    }

    @Test(arguments: StorageKind.allCases)
    func putByDigestChecksTheDigest(storage: StorageKind) async throws {
        let fixture = try await ServeFixture(storage)
        defer { fixture.remove() }
        try await fixture.run { client in
            let bytes = try await ManifestTests.oddManifest(client)
            let wrong = Digest.sha256(of: Data("other".utf8))
            let bad = try await client.execute(
                uri: "/v2/app/manifests/\(wrong)", method: .put,
                headers: [.contentType: Layout.MediaType.ociManifest.rawValue], body: bytes.buffer)
            #expect(bad.status == .badRequest)
            #expect(bad.errorCode == .digestInvalid)
            let digest = Digest.sha256(of: bytes)
            let good = try await client.execute(
                uri: "/v2/app/manifests/\(digest)?tag=a&tag=b", method: .put,
                headers: [.contentType: Layout.MediaType.ociManifest.rawValue], body: bytes.buffer)
            #expect(good.status == .created)
            #expect(good.headers[.ociTag] == "a, b")
            let tags = try await client.execute(uri: "/v2/app/tags/list", method: .get)
            #expect(tags.body.string == #"{"name":"app","tags":["a","b"]}"#)
        }
    }

    @Test(arguments: StorageKind.allCases)
    func manifestWithSubjectGetsOCISubjectHeader(storage: StorageKind) async throws {
        let fixture = try await ServeFixture(storage)
        defer { fixture.remove() }
        try await fixture.run { client in
            let image = try await client.pushImage(to: "app", tag: "v1")
            let withSubject = try await client.pushImage(to: "app", tag: nil, layers: 1, subject: image.descriptor)
            let again = try await client.execute(
                uri: "/v2/app/manifests/\(withSubject.digest)", method: .put,
                headers: [.contentType: Layout.MediaType.ociManifest.rawValue], body: withSubject.manifest.buffer)
            #expect(again.headers[.ociSubject] == image.digest.description)
            let plain = try await client.execute(
                uri: "/v2/app/manifests/v1", method: .put,
                headers: [.contentType: Layout.MediaType.ociManifest.rawValue], body: image.manifest.buffer)
            #expect(plain.headers[.ociSubject] == nil)
        }
    }

    @Test(arguments: StorageKind.allCases)
    func contentTypeMustMatchTheManifest(storage: StorageKind) async throws {
        let fixture = try await ServeFixture(storage)
        defer { fixture.remove() }
        try await fixture.run { client in
            let bytes = try await ManifestTests.oddManifest(client)
            let put = try await client.execute(
                uri: "/v2/app/manifests/v1", method: .put,
                headers: [.contentType: Layout.MediaType.ociIndex.rawValue], body: bytes.buffer)
            #expect(put.status == .badRequest)
            #expect(put.errorCode == .manifestInvalid)
        }
    }

    @Test(arguments: StorageKind.allCases)
    func acceptWithoutTheStoredTypeIs404(storage: StorageKind) async throws {
        let fixture = try await ServeFixture(storage)
        defer { fixture.remove() }
        try await fixture.run { client in
            _ = try await client.pushImage(to: "app", tag: "v1")
            let docker = try await client.execute(
                uri: "/v2/app/manifests/v1", method: .get,
                headers: [.accept: Layout.MediaType.dockerManifest.rawValue])
            #expect(docker.status == .notFound)
            #expect(docker.errorCode == .manifestUnknown)
            for accept in ["application/vnd.oci.image.manifest.v1+json; q=0.5", "*/*", "application/*", ""] {
                let response = try await client.execute(
                    uri: "/v2/app/manifests/v1", method: .get, headers: [.accept: accept])
                #expect(response.status == .ok, "\(accept)")
            }
        }
    }

    @Test(arguments: StorageKind.allCases)
    func unknownManifestIs404ManifestUnknown(storage: StorageKind) async throws {
        let fixture = try await ServeFixture(storage)
        defer { fixture.remove() }
        try await fixture.run { client in
            let image = try await client.pushImage(to: "app", tag: "v1")
            for reference in ["nope", Digest.sha256(of: Data("x".utf8)).description,
                Digest.sha256(of: image.layers[0]).description]
            {
                let response = try await client.execute(uri: "/v2/app/manifests/\(reference)", method: .get)
                #expect(response.status == .notFound, "\(reference)")
                #expect(response.errorCode == .manifestUnknown, "\(reference)")
            }
        }
    }

    @Test(arguments: StorageKind.allCases)
    func deleteByTagRemovesTheTagAndByDigestTheManifest(storage: StorageKind) async throws {
        let fixture = try await ServeFixture(storage)
        defer { fixture.remove() }
        try await fixture.run { client in
            let image = try await client.pushImage(to: "app", tag: "v1")
            #expect(try await client.execute(uri: "/v2/app/manifests/v1", method: .delete).status == .accepted)
            #expect(try await client.execute(uri: "/v2/app/manifests/v1", method: .get).status == .notFound)
            #expect(try await client.execute(uri: "/v2/app/manifests/\(image.digest)", method: .get).status == .ok)
            let deleted = try await client.execute(uri: "/v2/app/manifests/\(image.digest)", method: .delete)
            #expect(deleted.status == .accepted)
            let gone = try await client.execute(uri: "/v2/app/manifests/\(image.digest)", method: .head)
            #expect(gone.status == .notFound)
            let again = try await client.execute(uri: "/v2/app/manifests/\(image.digest)", method: .delete)
            #expect(again.status == .notFound)
            #expect(again.errorCode == .manifestUnknown)
            #expect(try await client.execute(uri: "/v2/app/manifests/v1", method: .delete).status == .notFound)
        }
        #expect(try fixture.store.layout(for: "app").check().isClean)
    }

    @Test(arguments: StorageKind.allCases)
    func deletingAChildOfAListedIndexIsRefused(storage: StorageKind) async throws {
        let fixture = try await ServeFixture(storage)
        defer { fixture.remove() }
        try await fixture.run { client in
            let child = try await client.pushImage(to: "app", tag: nil)
            let index = ImageIndex(manifests: [child.descriptor])
            let bytes = try JSONEncoder.ocitool.encode(index)
            let put = try await client.execute(
                uri: "/v2/app/manifests/multi", method: .put,
                headers: [.contentType: Layout.MediaType.ociIndex.rawValue], body: bytes.buffer)
            #expect(put.status == .created)
            // Listed untagged and as the child: the entry goes, the blob stays for the index.
            let untagged = try await client.execute(uri: "/v2/app/manifests/\(child.digest)", method: .delete)
            #expect(untagged.status == .accepted)
            #expect(try await client.execute(uri: "/v2/app/manifests/\(child.digest)", method: .get).status == .ok)
            let refused = try await client.execute(uri: "/v2/app/manifests/\(child.digest)", method: .delete)
            #expect(refused.status == .methodNotAllowed)
            #expect(refused.errorCode == .unsupported)
        }
        #expect(try fixture.store.layout(for: "app").check().isClean)
    }

    @Test(arguments: StorageKind.allCases)
    func putToANewRepositoryCreatesIt(storage: StorageKind) async throws {
        let fixture = try await ServeFixture(storage)
        defer { fixture.remove() }
        try await fixture.run { client in
            _ = try await client.pushImage(to: "brand/new/repo", tag: "v1")
        }
        #expect(fixture.store.repositories() == ["brand/new/repo"])
        #expect(try fixture.store.layout(for: "brand/new/repo").resolve(.tag("v1")).mediaType == .ociManifest)
    }

    @Test(arguments: StorageKind.allCases)
    func repositoryNamedWithAManifestsComponentWorks(storage: StorageKind) async throws {
        let fixture = try await ServeFixture(storage)
        defer { fixture.remove() }
        try await fixture.run { client in
            let image = try await client.pushImage(to: "a/manifests/b", tag: "v1")
            let get = try await client.execute(uri: "/v2/a/manifests/b/manifests/v1", method: .get)
            #expect(get.status == .ok)
            #expect(get.body.data == image.manifest)
            let tags = try await client.execute(uri: "/v2/a/manifests/b/tags/list", method: .get)
            #expect(tags.body.string == #"{"name":"a/manifests/b","tags":["v1"]}"#)
        }
        #expect(fixture.store.repositories() == ["a/manifests/b"])
    }

    @Test(arguments: StorageKind.allCases)
    func tagWrittenThroughLayoutWhileServingIsVisibleOnTheNextGet(storage: StorageKind) async throws {
        let fixture = try await ServeFixture(storage)
        defer { fixture.remove() }
        let store = fixture.store
        try await fixture.run { client in
            let image = try await client.pushImage(to: "app", tag: "v1")
            // Warm the cache, then tag behind the server's back (as `ocitool tag` would).
            #expect(try await client.execute(uri: "/v2/app/manifests/later", method: .get).status == .notFound)
            try store.layout(for: "app").tag("later", to: image.descriptor)
            let get = try await client.execute(uri: "/v2/app/manifests/later", method: .get)
            #expect(get.status == .ok)
            #expect(get.body.data == image.manifest)
            let tags = try await client.execute(uri: "/v2/app/tags/list", method: .get)
            #expect(tags.body.string == #"{"name":"app","tags":["later","v1"]}"#)
            try store.layout(for: "app").untag("v1")
            #expect(try await client.execute(uri: "/v2/app/manifests/v1", method: .get).status == .notFound)
        }
    }
}
