// SPDX-License-Identifier: Apache-2.0
import Foundation
import HTTPTypes
import HummingbirdTesting
import Layout
import Testing

@testable import Serve

/// Behaviour the OCI distribution-spec conformance suites check, each pinned to the spec requirement it follows.
@Suite struct ConformanceFixTests {
    /// spec.md "Pulling manifests": a manifest not found MUST be 404, and the endpoint table gives GET/HEAD of
    /// `/v2/<name>/manifests/<reference>` (end-3) no other failure. A reference that is no valid tag (the v1.1.1
    /// suite uses `.INVALID_MANIFEST_NAME`) or no valid digest names nothing, so it is not found.
    @Test(
        arguments: StorageKind.allCases,
        [".INVALID_MANIFEST_NAME", "-leading-dash", "sha256:baddigeststring", "sha256:ABC"])
    func readingAnInvalidManifestReferenceIs404(storage: StorageKind, reference: String) async throws {
        let fixture = try await ServeFixture(storage)
        defer { fixture.remove() }
        try await fixture.run { client in
            _ = try await client.pushImage(to: "app", tag: "latest")
            let get = try await client.execute(uri: "/v2/app/manifests/\(reference)", method: .get)
            #expect(get.status == .notFound)
            #expect(get.errorCode == .manifestUnknown)
            let head = try await client.execute(uri: "/v2/app/manifests/\(reference)", method: .head)
            #expect(head.status == .notFound)
            #expect(head.body.data.isEmpty)
            // The same in a repository that does not exist.
            let missing = try await client.execute(uri: "/v2/nothing/manifests/\(reference)", method: .get)
            #expect(missing.status == .notFound)
        }
    }

    /// The endpoint table gives GET/HEAD of `/v2/<name>/blobs/<digest>` (end-2) only 404: a malformed digest
    /// names no blob.
    @Test(arguments: StorageKind.allCases, ["sha256:abc", "latest", "sha256:baddigeststring"])
    func readingAMalformedBlobDigestIs404(storage: StorageKind, digest: String) async throws {
        let fixture = try await ServeFixture(storage)
        defer { fixture.remove() }
        try await fixture.run { client in
            try await client.pushBlob(randomBytes(64), to: "app")
            let get = try await client.execute(uri: "/v2/app/blobs/\(digest)", method: .get)
            #expect(get.status == .notFound)
            #expect(get.errorCode == .blobUnknown)
            let head = try await client.execute(uri: "/v2/app/blobs/\(digest)", method: .head)
            #expect(head.status == .notFound)
        }
    }

    /// Writes keep their 400s: pushing to an invalid tag is TAG_INVALID, to a malformed digest DIGEST_INVALID
    /// (the HEAD suite's "Invalid Manifest Digest" requires 400), and deleting an invalid tag stays 400 (end-9
    /// allows it).
    @Test(arguments: StorageKind.allCases)
    func writesToInvalidReferencesStay400(storage: StorageKind) async throws {
        let fixture = try await ServeFixture(storage)
        defer { fixture.remove() }
        try await fixture.run { client in
            let image = try await client.pushImage(to: "app", tag: "latest")
            let headers: HTTPFields = [.contentType: Layout.MediaType.ociManifest.rawValue]
            let badTag = try await client.execute(
                uri: "/v2/app/manifests/.INVALID_MANIFEST_NAME", method: .put, headers: headers,
                body: image.manifest.buffer)
            #expect(badTag.status == .badRequest)
            #expect(badTag.errorCode == .tagInvalid)
            let badDigest = try await client.execute(
                uri: "/v2/app/manifests/sha256:baddigeststring", method: .put, headers: headers,
                body: image.manifest.buffer)
            #expect(badDigest.status == .badRequest)
            #expect(badDigest.errorCode == .digestInvalid)
            let delete = try await client.execute(uri: "/v2/app/manifests/.INVALID_MANIFEST_NAME", method: .delete)
            #expect(delete.status == .badRequest)
            #expect(delete.errorCode == .tagInvalid)
            let blobDelete = try await client.execute(uri: "/v2/app/blobs/sha256:abc", method: .delete)
            #expect(blobDelete.status == .badRequest)
            #expect(blobDelete.errorCode == .digestInvalid)
        }
    }
}
