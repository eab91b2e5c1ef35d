// SPDX-License-Identifier: Apache-2.0
import HTTPTypes
import Layout
import Testing

@testable import Serve

/// The /v2 path parser: endpoints found from the right, names, tags and digests validated, traversal refused.
@Suite("DistributionRoute")
struct RouteTests {
    static let digest = "sha256:" + String(repeating: "a", count: 64)

    static let valid: [(String, DistributionRoute)] = {
        let digest = (try? Digest(RouteTests.digest))!
        return [
            ("/v2/_catalog", .catalog),
            ("/v2/app/tags/list", .tags(name: "app")),
            ("/v2/team/app/tags/list", .tags(name: "team/app")),
            ("/v2/team/app/manifests/latest", .manifest(name: "team/app", reference: .tag("latest"))),
            ("/v2/app/manifests/\(RouteTests.digest)", .manifest(name: "app", reference: .digest(digest))),
            ("/v2/a/manifests/b/manifests/v1", .manifest(name: "a/manifests/b", reference: .tag("v1"))),
            ("/v2/a/manifests/b/tags/list", .tags(name: "a/manifests/b")),
            ("/v2/a/tags/b/manifests/list", .manifest(name: "a/tags/b", reference: .tag("list"))),
            ("/v2/app/blobs/\(RouteTests.digest)", .blob(name: "app", digest: digest)),
            ("/v2/app/blobs/uploads/", .uploads(name: "app")),
            ("/v2/app/blobs/uploads", .uploads(name: "app")),
            ("/v2/a/uploads/blobs/uploads/", .uploads(name: "a/uploads")),
            ("/v2/app/blobs/uploads/0f0e", .upload(name: "app", id: "0f0e")),
            ("/v2/x/referrers/\(RouteTests.digest)", .referrers(name: "x", digest: digest)),
            ("/v2/a/referrers/b/referrers/\(RouteTests.digest)", .referrers(name: "a/referrers/b", digest: digest)),
            (
                "/v2/app/manifests/sha256%3A" + String(repeating: "a", count: 64),
                .manifest(name: "app", reference: .digest(digest))
            ),
        ]
    }()

    @Test(arguments: valid)
    func parsesEndpointsFromTheRight(path: String, expected: DistributionRoute) throws {
        #expect(try DistributionRoute(path: path) == expected)
    }

    static let invalid: [(String, DistributionErrorCode)] = [
        ("/v2/../x/tags/list", .nameInvalid),
        ("/v2/%2e%2e/x/tags/list", .nameInvalid),
        ("/v2/a/%2E%2E/tags/list", .nameInvalid),
        ("/v2/a/./b/tags/list", .nameInvalid),
        ("/v2/a//b/tags/list", .nameInvalid),
        ("/v2//tags/list", .nameInvalid),
        ("/v2/a%2fb/tags/list", .nameInvalid),
        ("/v2/a%zz/tags/list", .nameInvalid),
        ("/v2/Upper/tags/list", .nameInvalid),
        ("/v2/.ocitool/tags/list", .nameInvalid),
        ("/v2/a/blobs/b/tags/list", .nameInvalid),
        ("/v2/a/manifests/bad%20tag", .tagInvalid),
        ("/v2/a/manifests/.hidden", .tagInvalid),
        ("/v2/a/manifests/sha256:baddigeststring", .digestInvalid),
        ("/v2/a/blobs/sha256:abc", .digestInvalid),
        ("/v2/a/blobs/latest", .digestInvalid),
        ("/v2/a/referrers/nodigest", .digestInvalid),
    ]

    @Test(arguments: invalid)
    func rejectsTraversalAndInvalidNames(path: String, code: DistributionErrorCode) {
        #expect(throws: OCIError.self) { try DistributionRoute(path: path) }
        do {
            _ = try DistributionRoute(path: path)
        } catch {
            #expect(error.code == code.rawValue)
            #expect(error.status == .badRequest)
        }
    }

    @Test(arguments: ["/v2/a", "/v2/a/b", "/v3/a/tags/list", "/v2/a/blobs"])
    func pathsThatAreNoEndpointAre404(path: String) {
        do {
            _ = try DistributionRoute(path: path)
            Issue.record("\(path) parsed")
        } catch {
            #expect(error.status == .notFound)
        }
    }
}
