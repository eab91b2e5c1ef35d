// SPDX-License-Identifier: Apache-2.0
import CurlTransport
import Foundation
import Layout
@testable import Sync
import Testing

/// Small protocol details: Location handling, Link pagination, Retry-After, error envelopes.
@Suite struct ProtocolTests {
    @Test func digestIsAppendedKeepingTheUploadState() {
        let url = RegistryClient.appendingQuery("http://r/v2/a/blobs/uploads/u?_state=x%2By&n=1", "digest", "sha256:ab")
        #expect(url == "http://r/v2/a/blobs/uploads/u?_state=x%2By&n=1&digest=sha256:ab")
    }

    @Test func relativeAndAbsoluteLocationsResolve() throws {
        let client = RegistryClient(registry: "r.example:5000")
        func response(_ location: String) -> RegistryResponse {
            RegistryResponse(status: 202, headers: HTTPHeaders([("Location", location)]), body: Data())
        }
        #expect(try client.location(of: response("/v2/a/blobs/uploads/1?s=2"), context: "")
            == "https://r.example:5000/v2/a/blobs/uploads/1?s=2")
        #expect(try client.location(of: response("https://cdn.example/up/1"), context: "") == "https://cdn.example/up/1")
        #expect(throws: SyncError.self) { try client.location(of: response(""), context: "") }
    }

    @Test func nextPageLinksResolve() {
        let client = RegistryClient(registry: "r", configuration: RegistryConfiguration(plainHTTP: true))
        #expect(client.nextPage([#"</v2/a/tags/list?last=b&n=1>; rel="next""#]) == "http://r/v2/a/tags/list?last=b&n=1")
        #expect(client.nextPage([#"<https://r/v2/_catalog?last=x>; rel="prev""#]) == nil)
        #expect(client.nextPage([]) == nil)
    }

    @Test func retryAfterAcceptsSecondsAndDates() {
        #expect(RetryPolicy.parseRetryAfter("7") == 7)
        #expect(RetryPolicy.parseRetryAfter(nil) == nil)
        let date = RetryPolicy.parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT")
        #expect(date != nil && date! < 0)
        let policy = RetryPolicy(maxAttempts: 5, initialDelay: 0.5, maxDelay: 3, maxRetryAfter: 10)
        #expect(policy.delay(after: 1, retryAfter: nil) == 0.5)
        #expect(policy.delay(after: 4, retryAfter: nil) == 3)
        #expect(policy.delay(after: 1, retryAfter: 3600) == 10)
    }

    @Test func errorEnvelopesAreDescribed() {
        let body = Data(#"{"errors":[{"code":"MANIFEST_INVALID","message":"bad"},{"code":"WEIRD","message":"x"}]}"#.utf8)
        let (codes, message) = RegistryClient.describeErrorBody(body)
        #expect(codes == [.manifestInvalid])
        #expect(message == "MANIFEST_INVALID: bad; WEIRD: x")
        #expect(RegistryClient.describeErrorBody(Data("plain\ntext".utf8)).1 == "plain text")
    }

    @Test func dockerHubNamesAreNormalized() {
        let client = RegistryClient(registry: "docker.io")
        #expect(client.baseURL == "https://registry-1.docker.io/v2/")
        #expect(RemoteRegistry(client: client, repository: "alpine").repository == "library/alpine")
        #expect(RemoteRegistry(client: client, repository: "me/app").repository == "me/app")
    }
}
