// SPDX-License-Identifier: Apache-2.0
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Layout
import Testing

@testable import Serve

/// Tags, catalog and referrers listings with pagination.
@Suite("Serve: listings")
struct ListingTests {
    struct TagList: Decodable, Equatable {
        let name: String
        let tags: [String]
    }

    struct Catalog: Decodable {
        let repositories: [String]
    }

    @Test(arguments: StorageKind.allCases)
    func tagsListIsSortedAndPaginatedWithLink(storage: StorageKind) async throws {
        let fixture = try await ServeFixture(storage)
        defer { fixture.remove() }
        try await fixture.run { client in
            let image = try await client.pushImage(to: "app", tag: "b")
            let store = fixture.store
            for tag in ["a", "C", "d", "e"] { try store.layout(for: "app").tag(tag, to: image.descriptor) }
            let all = try await client.execute(uri: "/v2/app/tags/list", method: .get)
            #expect(try JSONDecoder().decode(TagList.self, from: all.body.data).tags == ["C", "a", "b", "d", "e"])
            #expect(all.headers[.link] == nil)

            let first = try await client.execute(uri: "/v2/app/tags/list?n=2", method: .get)
            #expect(try JSONDecoder().decode(TagList.self, from: first.body.data).tags == ["C", "a"])
            #expect(first.headers[.link] == #"</v2/app/tags/list?n=2&last=a>; rel="next""#)
            let second = try await client.execute(uri: "/v2/app/tags/list?n=2&last=a", method: .get)
            #expect(try JSONDecoder().decode(TagList.self, from: second.body.data).tags == ["b", "d"])
            let third = try await client.execute(uri: "/v2/app/tags/list?n=2&last=d", method: .get)
            #expect(try JSONDecoder().decode(TagList.self, from: third.body.data).tags == ["e"])
            #expect(third.headers[.link] == nil)
            let lastOnly = try await client.execute(uri: "/v2/app/tags/list?last=b", method: .get)
            #expect(try JSONDecoder().decode(TagList.self, from: lastOnly.body.data).tags == ["d", "e"])
            let none = try await client.execute(uri: "/v2/app/tags/list?n=0", method: .get)
            #expect(try JSONDecoder().decode(TagList.self, from: none.body.data).tags == [])
            #expect(none.headers[.link] == nil)
        }
    }

    @Test(arguments: StorageKind.allCases)
    func tagsOfUnknownRepositoryIs404NameUnknown(storage: StorageKind) async throws {
        let fixture = try await ServeFixture(storage)
        defer { fixture.remove() }
        try await fixture.run { client in
            let response = try await client.execute(uri: "/v2/nothing/here/tags/list", method: .get)
            #expect(response.status == .notFound)
            #expect(response.errorCode == .nameUnknown)
        }
    }

    @Test(arguments: StorageKind.allCases)
    func catalogListsRepositoriesPaginated(storage: StorageKind) async throws {
        let fixture = try await ServeFixture(storage)
        defer { fixture.remove() }
        for name in ["zeta", "alpha", "team/app", "team"] { _ = try fixture.store.layout(for: name, create: true) }
        try await fixture.run { client in
            let all = try await client.execute(uri: "/v2/_catalog", method: .get)
            #expect(try JSONDecoder().decode(Catalog.self, from: all.body.data).repositories
                == ["alpha", "team", "team/app", "zeta"])
            let first = try await client.execute(uri: "/v2/_catalog?n=3", method: .get)
            #expect(try JSONDecoder().decode(Catalog.self, from: first.body.data).repositories
                == ["alpha", "team", "team/app"])
            #expect(first.headers[.link] == #"</v2/_catalog?n=3&last=team%2Fapp>; rel="next""#)
            let next = try await client.execute(uri: "/v2/_catalog?n=3&last=team%2Fapp", method: .get)
            #expect(try JSONDecoder().decode(Catalog.self, from: next.body.data).repositories == ["zeta"])
            #expect(next.headers[.link] == nil)
        }
    }

    @Test(arguments: StorageKind.allCases)
    func pageSizeIsCappedByTheRegistry(storage: StorageKind) async throws {
        let fixture = try await ServeFixture(storage)
        defer { fixture.remove() }
        for name in ["a", "b", "c"] { _ = try fixture.store.layout(for: name, create: true) }
        try await fixture.run(configure: { $0.maxPageSize = 2 }) { client in
            let response = try await client.execute(uri: "/v2/_catalog?n=100", method: .get)
            #expect(try JSONDecoder().decode(Catalog.self, from: response.body.data).repositories == ["a", "b"])
            #expect(response.headers[.link] == #"</v2/_catalog?n=2&last=b>; rel="next""#)
        }
    }

    @Test(arguments: StorageKind.allCases)
    func referrersListsManifestsWithTheSubjectAndFiltersByArtifactType(storage: StorageKind) async throws {
        let fixture = try await ServeFixture(storage)
        defer { fixture.remove() }
        try await fixture.run { client in
            let image = try await client.pushImage(to: "app", tag: "v1")
            let sbom = try await client.pushImage(
                to: "app", tag: nil, layers: 1, subject: image.descriptor, artifactType: "application/vnd.example.sbom",
                annotations: ["org.example.kind": "sbom"])
            let signature = try await client.pushImage(
                to: "app", tag: nil, layers: 1, subject: image.descriptor, artifactType: "application/vnd.example.sig")
            let all = try await client.execute(uri: "/v2/app/referrers/\(image.digest)", method: .get)
            #expect(all.status == .ok)
            #expect(all.headers[.contentType] == Layout.MediaType.ociIndex.rawValue)
            #expect(all.headers[.ociFiltersApplied] == nil)
            let index = try JSONDecoder().decode(ImageIndex.self, from: all.body.data)
            #expect(index.mediaType == .ociIndex)
            #expect(Set(index.manifests.map(\.digest)) == [sbom.digest, signature.digest])
            let sbomEntry = try #require(index.manifests.first { $0.digest == sbom.digest })
            #expect(sbomEntry.artifactType == "application/vnd.example.sbom")
            #expect(sbomEntry.annotations == ["org.example.kind": "sbom"])
            #expect(sbomEntry.size == Int64(sbom.manifest.count))

            let filtered = try await client.execute(
                uri: "/v2/app/referrers/\(image.digest)?artifactType=application/vnd.example.sig", method: .get)
            #expect(filtered.headers[.ociFiltersApplied] == "artifactType")
            let filteredIndex = try JSONDecoder().decode(ImageIndex.self, from: filtered.body.data)
            #expect(filteredIndex.manifests.map(\.digest) == [signature.digest])
        }
    }

    @Test(arguments: StorageKind.allCases)
    func referrersOfAnUnknownSubjectIsAnEmptyIndex(storage: StorageKind) async throws {
        let fixture = try await ServeFixture(storage)
        defer { fixture.remove() }
        try await fixture.run { client in
            try await client.pushBlob(randomBytes(10), to: "app")
            let response = try await client.execute(
                uri: "/v2/app/referrers/\(Digest.sha256(of: Data("none".utf8)))", method: .get)
            #expect(response.status == .ok)
            let index = try JSONDecoder().decode(ImageIndex.self, from: response.body.data)
            #expect(index.manifests.isEmpty)
            #expect(index.schemaVersion == 2)
            let invalid = try await client.execute(uri: "/v2/app/referrers/sha256:zzz", method: .get)
            #expect(invalid.status == .badRequest)
            #expect(invalid.errorCode == .digestInvalid)
            // A repository nothing was pushed to yet has no referrers either (distribution-spec conformance).
            let unknown = try await client.execute(
                uri: "/v2/not/pushed/yet/referrers/\(Digest.sha256(of: Data("none".utf8)))", method: .get)
            #expect(unknown.status == .ok)
            #expect(try JSONDecoder().decode(ImageIndex.self, from: unknown.body.data).manifests.isEmpty)
        }
    }

    @Test(arguments: StorageKind.allCases)
    func referrersArePaginatedWithLink(storage: StorageKind) async throws {
        let fixture = try await ServeFixture(storage)
        defer { fixture.remove() }
        try await fixture.run(configure: { $0.maxPageSize = 2 }) { client in
            let image = try await client.pushImage(to: "app", tag: "v1")
            var pushed: Set<Digest> = []
            for number in 0..<3 {
                let referrer = try await client.pushImage(
                    to: "app", tag: nil, layers: 0, subject: image.descriptor, annotations: ["n": "\(number)"])
                pushed.insert(referrer.digest)
            }
            var seen: [Digest] = []
            var uri: String? = "/v2/app/referrers/\(image.digest)"
            var pages = 0
            while let next = uri, pages < 5 {
                let response = try await client.execute(uri: next, method: .get)
                seen += try JSONDecoder().decode(ImageIndex.self, from: response.body.data).manifests.map(\.digest)
                uri = response.headers[.link].flatMap { link in
                    link.split(separator: ">").first.map { String($0.dropFirst()) }
                }
                pages += 1
            }
            #expect(pages == 2)
            #expect(seen.count == 3)
            #expect(Set(seen) == pushed)
        }
    }
}
