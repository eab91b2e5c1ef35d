// SPDX-License-Identifier: Apache-2.0
import Foundation
@testable import Layout
@testable import Sync
import Testing

/// A registry that misbehaves, or points elsewhere: bounded retries, impossible ranges, credentials kept to
/// the registry, paginated referrers, mounts sent once.
@Suite struct RegistryHardeningTests {
    /// A random blob of `size` bytes in a new layout, and a way to open it from an offset.
    private func blob(_ size: Int) throws -> (OCILayout, Descriptor, Data) {
        let layout = try SyncFixtures.layout()
        let bytes = SyncFixtures.randomBytes(size)
        let (digest, written) = try layout.writeBlob(bytes)
        return (layout, Descriptor(mediaType: .ociLayerGzip, digest: digest, size: written), bytes)
    }

    private func chunkedClient(_ fake: FakeRegistry, maxAttempts: Int = 4) -> RegistryClient {
        RegistryClient(
            registry: fake.host,
            configuration: RegistryConfiguration(
                plainHTTP: true, retry: RetryPolicy(maxAttempts: maxAttempts, initialDelay: 0.001, maxDelay: 0.01),
                chunkedUploadThreshold: 100_000, chunkSize: 100_000))
    }

    @Test func aChunkedPushWhoseFirstPatchKeepsFailingGivesUp() throws {
        let fake = try FakeRegistry()
        defer { fake.stop() }
        let (layout, descriptor, _) = try blob(250_000)
        defer { SyncFixtures.remove(layout) }
        let patches = Locked(0)
        fake.fault.withLock {
            $0 = { request, _ in
                guard request.method == "PATCH" else { return nil }
                let number = patches.increment()
                // The first chunk always fails; a PATCH elsewhere gets the fake's own answer (416 in an empty
                // session). Past 50 PATCHes the fault stops, so an endless retry loop ends in a success.
                guard number <= 50, request.headers["content-range"]?.hasPrefix("0-") == true else { return nil }
                return .error(500, code: "UNKNOWN", message: "storage down")
            }
        }
        let start = Date()
        #expect {
            try chunkedClient(fake).pushBlob("app", descriptor) { (offset) throws(SyncError) in
                try layoutCall { () throws(LayoutError) in try LayoutEndpoint(layout).openBlob(descriptor, from: offset) }
            }
        } throws: { error in
            guard case SyncError.registry(_, 500, _, let message, _) = error else { return false }
            return message.contains("storage down")
        }
        #expect(patches.current == 4)
        // An empty session's status (`Range: 0-0`) resumes at 0, not 1.
        let ranges = fake.requests.filter { $0.method == "PATCH" }.compactMap { $0.headers["content-range"] }
        #expect(ranges.allSatisfy { $0 == "0-99999" })
        #expect(Date().timeIntervalSince(start) < 10)
    }

    @Test(arguments: ["PATCH", "GET"])
    func anImpossibleUploadRangeIsAProtocolError(_ method: String) throws {
        let fake = try FakeRegistry()
        defer { fake.stop() }
        let (layout, descriptor, _) = try blob(150_000)
        defer { SyncFixtures.remove(layout) }
        fake.fault.withLock {
            $0 = { request, earlier in
                guard request.path.contains("/blobs/uploads/"), request.path != "/v2/app/blobs/uploads/" else { return nil }
                let huge = [("Location", request.path), ("Range", "0-9223372036854775807")]
                switch (method, request.method) {
                case ("PATCH", "PATCH"): return FakeReply(status: 202, headers: huge)
                // The first PATCH fails, so the client asks the session where it stands.
                case ("GET", "PATCH") where earlier == 0: return .error(500, code: "UNKNOWN", message: "hiccup")
                case ("GET", "GET"): return FakeReply(status: 204, headers: huge)
                default: return nil
                }
            }
        }
        #expect {
            try chunkedClient(fake).pushBlob("app", descriptor) { (offset) throws(SyncError) in
                try layoutCall { () throws(LayoutError) in try LayoutEndpoint(layout).openBlob(descriptor, from: offset) }
            }
        } throws: { error in
            guard case SyncError.invalidResponse(let host, let reason) = error else { return false }
            return host == fake.host && reason.contains("9223372036854775807")
        }
    }

    @Test func anUploadLocationOnAnotherHostGetsNoCredentials() throws {
        let credentials = Credentials(username: "alice", password: "s3cret")
        let fake = try FakeRegistry(auth: .basic(credentials))
        defer { fake.stop() }
        let storageRequests = Locked<[FakeRequest]>([])
        let storage = try FakeServer { request in
            storageRequests.withLock { $0.append(request) }
            guard request.method == "PUT", let digest = request.query("digest").first,
                Digest.sha256(of: request.body).description == digest
            else { return .error(400, code: "DIGEST_INVALID", message: "bad upload") }
            return FakeReply(status: 201, headers: [("Docker-Content-Digest", digest)])
        }
        defer { storage.stop() }
        // The registry (once authenticated) hands the upload to storage on another port, as the spec allows.
        fake.fault.withLock {
            $0 = { request, _ in
                guard request.method == "POST", request.path == "/v2/app/blobs/uploads/",
                    request.headers["authorization"] == "Basic \(credentials.base64)"
                else { return nil }
                return FakeReply(status: 202, headers: [("Location", "http://\(storage.host)/upload/1?sig=abc")])
            }
        }
        let (layout, descriptor, bytes) = try blob(10_000)
        defer { SyncFixtures.remove(layout) }
        let outcome = try fake.client(credentials).pushBlob("app", descriptor) { (offset) throws(SyncError) in
            try layoutCall { () throws(LayoutError) in try LayoutEndpoint(layout).openBlob(descriptor, from: offset) }
        }
        #expect(outcome == .uploaded)
        let puts = storageRequests.current.filter { $0.method == "PUT" }
        #expect(puts.count == 1)
        #expect(puts.first?.body == bytes)
        #expect(storageRequests.current.allSatisfy { $0.headers["authorization"] == nil })
        #expect(fake.requests.contains { $0.method == "POST" && $0.headers["authorization"] != nil })
    }

    @Test func aPlainHTTPTokenRealmIsRefusedForAnHTTPSRegistry() throws {
        let realmRequests = Locked(0)
        let realm = try FakeServer { _ in
            realmRequests.withLock { $0 += 1 }
            return .json(200, #"{"token":"t"}"#)
        }
        defer { realm.stop() }
        let client = RegistryClient(
            registry: "registry.invalid",
            configuration: RegistryConfiguration(credentials: Credentials(username: "alice", password: "s3cret")))
        let challenge = try #require(AuthChallenge.parse([#"Bearer realm="http://\#(realm.host)/token",service="r""#]))
        #expect {
            try client.fetchToken(challenge, scopes: ["repository:app:pull"], rejected: nil)
        } throws: { error in
            guard case SyncError.authenticationFailed(_, let reason) = error else { return false }
            return reason.contains("plain HTTP")
        }
        #expect(realmRequests.current == 0)
        // A plain-HTTP registry may have a plain-HTTP token server.
        let plain = RegistryClient(
            registry: "registry.invalid",
            configuration: RegistryConfiguration(
                plainHTTP: true, credentials: Credentials(username: "alice", password: "s3cret")))
        #expect(try plain.fetchToken(challenge, scopes: ["repository:app:pull"], rejected: nil) == "t")
    }

    @Test func registryOriginsCompareSchemeHostAndPort() {
        let client = RegistryClient(registry: "r.example")
        #expect(client.isRegistryOrigin("https://r.example/v2/a/blobs/uploads/1"))
        #expect(client.isRegistryOrigin("https://R.example:443/v2/a/tags/list?n=1"))
        #expect(!client.isRegistryOrigin("http://r.example/v2/a/blobs/uploads/1"))
        #expect(!client.isRegistryOrigin("https://r.example:8443/v2/"))
        #expect(!client.isRegistryOrigin("https://storage.example/v2/"))
        #expect(!client.isRegistryOrigin("https://r.example.evil/v2/"))
    }

    @Test func referrersArePagedThrough() throws {
        let fake = try FakeRegistry()
        defer { fake.stop() }
        let subject = Digest.sha256(of: Data("subject".utf8))
        let referrers = (0..<5).map { index in
            Descriptor(
                mediaType: .ociManifest, digest: Digest.sha256(of: Data("referrer \(index)".utf8)), size: 100,
                artifactType: SyncFixtures.sbomType)
        }
        let path = "/v2/app/referrers/\(subject)"
        fake.fault.withLock {
            $0 = { request, _ in
                guard request.method == "GET", request.path == path else { return nil }
                let page = Int(request.query("page").first ?? "0") ?? 0
                let index = ImageIndex(mediaType: .ociIndex, manifests: Array(referrers.dropFirst(page * 2).prefix(2)))
                let body = (try? JSONEncoder.ocitool.encode(index)) ?? Data()
                var headers = [("Content-Type", MediaType.ociIndex.rawValue)]
                if (page + 1) * 2 < referrers.count {
                    headers.append(("Link", #"<\#(path)?page=\#(page + 1)>; rel="next""#))
                }
                return FakeReply(status: 200, headers: headers, body: body)
            }
        }
        let client = RegistryClient(
            registry: fake.host,
            configuration: RegistryConfiguration(plainHTTP: true, retry: RetryPolicy(initialDelay: 0.01), cosignTags: false))
        let found = try client.referrers("app", of: subject)
        #expect(found.map(\.descriptor.digest) == referrers.map(\.digest))
        #expect(fake.requests.filter { $0.path == path }.count == 3)
    }

    /// A registry whose every referrers page links to a new next page: the client stops after `maxPages` pages
    /// (here 20) with an error naming the registry, instead of paging (and holding descriptors) forever.
    @Test func endlessReferrersPagesEndInAnError() throws {
        let fake = try FakeRegistry()
        defer { fake.stop() }
        let subject = Digest.sha256(of: Data("subject".utf8))
        let path = "/v2/app/referrers/\(subject)"
        fake.fault.withLock {
            $0 = { request, _ in
                guard request.method == "GET", request.path == path else { return nil }
                let page = Int(request.query("page").first ?? "0") ?? 0
                let body = (try? JSONEncoder.ocitool.encode(ImageIndex(mediaType: .ociIndex, manifests: []))) ?? Data()
                var headers = [("Content-Type", MediaType.ociIndex.rawValue)]
                // 50 pages stand for "endless": a client without the limit finishes (and the test fails).
                if page < 50 { headers.append(("Link", #"<\#(path)?page=\#(page + 1)>; rel="next""#)) }
                return FakeReply(status: 200, headers: headers, body: body)
            }
        }
        let client = RegistryClient(
            registry: fake.host,
            configuration: RegistryConfiguration(
                plainHTTP: true, retry: RetryPolicy(initialDelay: 0.01), cosignTags: false, maxPages: 20))
        #expect {
            _ = try client.referrers("app", of: subject)
        } throws: { error in
            "\(error)".contains("more than \(20) pages") && "\(error)".contains(fake.host)
        }
        #expect(fake.requests.filter { $0.path == path }.count == 20)
    }

    @Test func aFailingMountIsSentOnceThenTheBlobIsUploaded() throws {
        let fake = try FakeRegistry()
        defer { fake.stop() }
        fake.fault.withLock {
            $0 = { request, _ in
                guard request.method == "POST", !request.query("mount").isEmpty else { return nil }
                return .error(503, code: "UNAVAILABLE", message: "busy")
            }
        }
        let (layout, descriptor, bytes) = try blob(10_000)
        defer { SyncFixtures.remove(layout) }
        let outcome = try fake.client().pushBlob("app", descriptor, mountFrom: "other") { (offset) throws(SyncError) in
            try layoutCall { () throws(LayoutError) in try LayoutEndpoint(layout).openBlob(descriptor, from: offset) }
        }
        #expect(outcome == .uploaded)
        #expect(fake.content.current.blobs[descriptor.digest.description] == bytes)
        let posts = fake.requests.filter { $0.method == "POST" }
        #expect(posts.filter { !$0.query("mount").isEmpty }.count == 1)
        #expect(posts.count == 2)
    }

    /// A source whose every referrer has a referrer of its own, without end: the walk stops at its limit with
    /// an error that names the image, instead of keeping a copy busy forever.
    @Test func endlessReferrersStopAtTheLimit() throws {
        struct EndlessReferrers: ImageSource {
            var description: String { "docker://evil.example/app" }
            func resolve(_ selector: ImageReference.Selector?) throws(SyncError) -> Descriptor { throw .notFound("none") }
            func manifest(_ descriptor: Descriptor) throws(SyncError) -> Manifest { throw .notFound("none") }
            func readBlob(
                _ descriptor: Descriptor, from offset: Int64, into body: (UnsafeRawBufferPointer) throws -> Void
            ) throws { throw SyncError.notFound("none") }
            func referrers(of digest: Digest) throws(SyncError) -> [Referrer] {
                let next = Digest.sha256(of: Data(digest.description.utf8))
                return [Referrer(descriptor: Descriptor(mediaType: .ociManifest, digest: next, size: 2))]
            }
        }
        let image = Digest.sha256(of: Data("image".utf8))
        var visited = 0
        #expect {
            try EndlessReferrers().walkReferrers(of: [image], artifactTypes: [], limit: 50) { _, _ in
                visited += 1
                return true
            }
        } throws: { error in
            "\(error)" == "more than 50 referrers of \(image) in docker://evil.example/app; stopped following them"
        }
        #expect(visited == 50)
        // discover's tree is bounded the same way.
        #expect {
            try EndlessReferrers().referrerTree(of: image, artifactType: nil, limit: 5)
        } throws: { error in
            "\(error)".hasPrefix("more than 5 referrers of \(image)")
        }
    }
}
