// SPDX-License-Identifier: Apache-2.0
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Layout
import Testing

@testable import Serve

/// Pulling, checking and deleting blobs; the ping endpoint and the error envelope.
@Suite("Serve: blobs")
struct BlobTests {
    @Test(arguments: StorageKind.allCases)
    func pingAnswers200WithTheAPIVersionHeader(storage: StorageKind) async throws {
        let fixture = try await ServeFixture(storage)
        defer { fixture.remove() }
        try await fixture.run { client in
            let response = try await client.execute(uri: "/v2/", method: .get)
            #expect(response.status == .ok)
            #expect(response.body.string == "{}")
            #expect(response.headers[.dockerDistributionAPIVersion] == "registry/2.0")
            #expect(response.headers[.contentType] == "application/json")
        }
    }

    @Test(arguments: StorageKind.allCases)
    func getBlobStreamsItWithDigestLengthAndType(storage: StorageKind) async throws {
        let fixture = try await ServeFixture(storage)
        defer { fixture.remove() }
        // Larger than one read chunk, and odd-sized.
        let data = randomBytes((1 << 20) * 2 + 17)
        try await fixture.run(.live) { client in
            let digest = try await client.pushBlob(data, to: "app")
            let response = try await client.execute(uri: "/v2/app/blobs/\(digest)", method: .get)
            #expect(response.status == .ok)
            #expect(response.body.data == data)
            #expect(response.headers[.contentLength] == String(data.count))
            #expect(response.headers[.dockerContentDigest] == digest.description)
            #expect(response.headers[.contentType] == "application/octet-stream")
        }
    }

    @Test(arguments: StorageKind.allCases)
    func headBlobHasContentLengthAndDigestButNoBody(storage: StorageKind) async throws {
        let fixture = try await ServeFixture(storage)
        defer { fixture.remove() }
        let data = randomBytes(5000)
        try await fixture.run(.live) { client in
            let digest = try await client.pushBlob(data, to: "app")
            let response = try await client.execute(uri: "/v2/app/blobs/\(digest)", method: .head)
            #expect(response.status == .ok)
            #expect(response.headers[.contentLength] == "5000")
            #expect(response.headers[.dockerContentDigest] == digest.description)
            #expect(response.body.readableBytes == 0)
        }
    }

    static let ranges: [(String, Int, Int)] = [
        ("bytes=500-1499", 500, 1499), ("bytes=500-", 500, 2047), ("bytes=-500", 1548, 2047),
        ("bytes=2000-5000", 2000, 2047),
    ]

    @Test(arguments: StorageKind.allCases, ranges)
    func rangeRequestGives206WithContentRange(storage: StorageKind, range: (String, Int, Int)) async throws {
        let (header, first, last) = range
        let fixture = try await ServeFixture(storage)
        defer { fixture.remove() }
        let data = randomBytes(2048)
        try await fixture.run { client in
            let digest = try await client.pushBlob(data, to: "app")
            let response = try await client.execute(
                uri: "/v2/app/blobs/\(digest)", method: .get, headers: [.range: header])
            #expect(response.status == .partialContent)
            #expect(response.body.data == data[first...last])
            #expect(response.headers[.contentLength] == String(last - first + 1))
            #expect(response.headers[.contentRange] == "bytes \(first)-\(last)/2048")
        }
    }

    @Test(arguments: StorageKind.allCases, ["bytes=500-0", "bytes=5000-10000", "bytes=-0"])
    func unsatisfiableRangeGives416(storage: StorageKind, header: String) async throws {
        let fixture = try await ServeFixture(storage)
        defer { fixture.remove() }
        try await fixture.run { client in
            let digest = try await client.pushBlob(randomBytes(2048), to: "app")
            let response = try await client.execute(
                uri: "/v2/app/blobs/\(digest)", method: .get, headers: [.range: header])
            #expect(response.status == .rangeNotSatisfiable)
            #expect(response.headers[.contentRange] == "bytes */2048")
        }
    }

    @Test(arguments: StorageKind.allCases)
    func unknownBlobIs404BlobUnknownInTheErrorEnvelope(storage: StorageKind) async throws {
        let fixture = try await ServeFixture(storage)
        defer { fixture.remove() }
        try await fixture.run { client in
            try await client.pushBlob(randomBytes(10), to: "app")
            let missing = Digest.sha256(of: Data("missing".utf8))
            let response = try await client.execute(uri: "/v2/app/blobs/\(missing)", method: .get)
            #expect(response.status == .notFound)
            #expect(response.headers[.contentType] == "application/json")
            #expect(response.errorCode == .blobUnknown)
            #expect(response.errors.first?.message.isEmpty == false)
            let head = try await client.execute(uri: "/v2/app/blobs/\(missing)", method: .head)
            #expect(head.status == .notFound)
            #expect(head.body.readableBytes == 0)
        }
    }

    @Test(arguments: StorageKind.allCases)
    func blobOfUnknownRepositoryIs404NameUnknown(storage: StorageKind) async throws {
        let fixture = try await ServeFixture(storage)
        defer { fixture.remove() }
        try await fixture.run { client in
            let response = try await client.execute(
                uri: "/v2/nothing/blobs/\(Digest.sha256(of: Data()))", method: .get)
            #expect(response.status == .notFound)
            #expect(response.errorCode == .nameUnknown)
        }
    }

    @Test(arguments: StorageKind.allCases)
    func deleteBlobRemovesItFromThatRepositoryOnly(storage: StorageKind) async throws {
        let fixture = try await ServeFixture(storage)
        defer { fixture.remove() }
        let data = randomBytes(4000)
        try await fixture.run { client in
            let digest = try await client.pushBlob(data, to: "one")
            try await client.pushBlob(data, to: "two")
            let deleted = try await client.execute(uri: "/v2/one/blobs/\(digest)", method: .delete)
            #expect(deleted.status == .accepted)
            #expect(try await client.execute(uri: "/v2/one/blobs/\(digest)", method: .head).status == .notFound)
            let other = try await client.execute(uri: "/v2/two/blobs/\(digest)", method: .get)
            #expect(other.status == .ok)
            #expect(other.body.data == data)
            let again = try await client.execute(uri: "/v2/one/blobs/\(digest)", method: .delete)
            #expect(again.status == .notFound)
            #expect(again.errorCode == .blobUnknown)
        }
    }

    /// A blob that a listed manifest is or uses cannot be deleted on its own (index.json would point at missing
    /// content); once the manifest is deleted, the blob can be.
    @Test(arguments: StorageKind.allCases)
    func blobsInUseAreNotDeleted(storage: StorageKind) async throws {
        let fixture = try await ServeFixture(storage)
        defer { fixture.remove() }
        try await fixture.run { client in
            let image = try await client.pushImage(to: "app", tag: "v1")
            let layer = Digest.sha256(of: image.layers[0])
            for digest in [layer, Digest.sha256(of: image.config), image.digest] {
                let refused = try await client.execute(uri: "/v2/app/blobs/\(digest)", method: .delete)
                #expect(refused.status == .methodNotAllowed, "\(digest)")
                #expect(refused.errorCode == .unsupported)
                #expect(try await client.execute(uri: "/v2/app/blobs/\(digest)", method: .head).status == .ok)
            }
            #expect(try await client.execute(uri: "/v2/app/manifests/v1", method: .get).status == .ok)
            let manifest = try await client.execute(uri: "/v2/app/manifests/\(image.digest)", method: .delete)
            #expect(manifest.status == .accepted)
            #expect(try await client.execute(uri: "/v2/app/blobs/\(layer)", method: .delete).status == .accepted)
        }
    }

    @Test(arguments: StorageKind.allCases)
    func deletesDisabledGive405Unsupported(storage: StorageKind) async throws {
        let fixture = try await ServeFixture(storage)
        defer { fixture.remove() }
        try await fixture.run(configure: { $0.deleteEnabled = false }) { client in
            let image = try await client.pushImage(to: "app", tag: "v1")
            let blob = try await client.execute(
                uri: "/v2/app/blobs/\(Digest.sha256(of: image.layers[0]))", method: .delete)
            #expect(blob.status == .methodNotAllowed)
            #expect(blob.errorCode == .unsupported)
            let tag = try await client.execute(uri: "/v2/app/manifests/v1", method: .delete)
            #expect(tag.status == .methodNotAllowed)
            let manifest = try await client.execute(uri: "/v2/app/manifests/\(image.digest)", method: .delete)
            #expect(manifest.status == .methodNotAllowed)
            #expect(try await client.execute(uri: "/v2/app/manifests/v1", method: .get).status == .ok)
        }
    }

    @Test(arguments: StorageKind.allCases)
    func readOnlyRegistryRefusesWritesWith405(storage: StorageKind) async throws {
        let fixture = try await ServeFixture(storage)
        defer { fixture.remove() }
        try await fixture.run(configure: { $0.readOnly = true }) { client in
            let response = try await client.execute(uri: "/v2/app/blobs/uploads/", method: .post)
            #expect(response.status == .methodNotAllowed)
            #expect(response.errorCode == .unsupported)
            #expect(try await client.execute(uri: "/v2/", method: .get).status == .ok)
        }
        #expect(try !fixture.holdsAnything(of: "app"))
    }

    @Test(arguments: StorageKind.allCases)
    func traversalAttemptsAreRejectedWithNameInvalid(storage: StorageKind) async throws {
        let fixture = try await ServeFixture(storage)
        defer { fixture.remove() }
        try await fixture.run { client in
            let paths = [
                "/v2/../x/tags/list", "/v2/%2e%2e/x/tags/list", "/v2/a/./b/tags/list", "/v2/a%2F..%2Fb/tags/list",
            ]
            for path in paths {
                let response = try await client.execute(uri: path, method: .get)
                #expect(response.status == .badRequest, "\(path)")
                #expect(response.errorCode == .nameInvalid, "\(path)")
            }
            let push = try await client.execute(
                uri: "/v2/%2e%2e/escape/blobs/uploads/?digest=\(Digest.sha256(of: Data()))", method: .post)
            #expect(push.status == .badRequest)
        }
        let parent = (fixture.root as NSString).deletingLastPathComponent
        #expect(!FileManager.default.fileExists(atPath: parent + "/escape"))
    }

    @Test(arguments: StorageKind.allCases)
    func unsupportedMethodIs405(storage: StorageKind) async throws {
        let fixture = try await ServeFixture(storage)
        defer { fixture.remove() }
        try await fixture.run { client in
            let response = try await client.execute(uri: "/v2/app/tags/list", method: .post)
            #expect(response.status == .methodNotAllowed)
            #expect(response.errorCode == .unsupported)
            // A method no route takes still answers in the OCI envelope, not as a server fault.
            let options = try await client.execute(uri: "/v2/app/tags/list", method: .options)
            #expect(options.status.code < 500)
            #expect(options.errorCode == .unsupported)
        }
    }
}
