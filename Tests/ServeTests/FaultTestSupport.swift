// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
import Testing

@testable import Serve

/// Checks shared by the fault tests: what a failed push may leave behind, and what it may not.
enum FaultChecks {
    /// `POST /v2/<repository>/blobs/uploads/`: a new session's location.
    static func startUpload(port: Int, repository: String = "app") async throws -> String {
        let response = try await RawHTTPConnection.request(port: port, "POST", "/v2/\(repository)/blobs/uploads/")
        try #require(response.status == 202, "start upload: \(response.status)")
        return try #require(response.headers["location"])
    }

    /// The session id at the end of a location.
    static func sessionID(_ location: String) -> String {
        String(location.split(separator: "/").last ?? "")
    }

    /// The blob is visible nowhere: not through the API, not in the repository's layout, not in the pool.
    static func expectNoBlob(_ digest: Digest, port: Int, fixture: ServeFixture, repository: String = "app")
        async throws
    {
        let response = try await RawHTTPConnection.request(port: port, "GET", "/v2/\(repository)/blobs/\(digest)")
        #expect(response.status == 404, "blob \(digest) must not be visible: \(response.status)")
        if let layout = try? fixture.store.layout(for: repository) {
            #expect(layout.blobSize(digest) == nil, "blob \(digest) is in the layout")
        }
        #expect(fixture.store.pooledSize(digest) == nil, "blob \(digest) is in the pool")
    }

    /// The session a failed request used, once no request holds it any more: either gone (404
    /// BLOB_UPLOAD_UNKNOWN, its directory removed), or it reports an offset no larger than what the client sent,
    /// and the upload resumed from exactly that offset completes into the right blob (so the offset was right and
    /// the bytes before it were the client's).
    /// - Returns: whether the session was still there.
    @discardableResult
    static func expectGoneOrResumable(
        _ location: String, blob: Data, sent: Int, port: Int, fixture: ServeFixture
    ) async throws -> Bool {
        let status = try await settledStatus(location, port: port)
        if status.status == 404 {
            #expect(status.errorCode == "BLOB_UPLOAD_UNKNOWN")
            let directory = fixture.root + "/.ocitool/uploads/" + sessionID(location)
            #expect(!FileManager.default.fileExists(atPath: directory), "a gone session left \(directory)")
            return false
        }
        try #require(status.status == 204, "upload status: \(status.status) \(String(decoding: status.body, as: UTF8.self))")
        let offset = try #require(status.uploadOffset)
        #expect(offset <= sent, "the session claims \(offset) bytes, the client sent \(sent)")
        let rest = blob[offset...]
        let patch = try await RawHTTPConnection.request(
            port: port, "PATCH", location,
            headers: [("Content-Range", "\(offset)-\(blob.count - 1)"), ("Content-Type", "application/octet-stream")],
            body: Data(rest))
        #expect(patch.status == 202, "resume from \(offset): \(patch.status) \(patch.errorCode ?? "")")
        let digest = Digest.sha256(of: blob)
        let put = try await RawHTTPConnection.request(port: port, "PUT", location + "?digest=\(digest)")
        #expect(put.status == 201, "finish after resume: \(put.status) \(put.errorCode ?? "")")
        let prefix = location.components(separatedBy: "/uploads/").first ?? location
        let get = try await RawHTTPConnection.request(port: port, "GET", "\(prefix)/\(digest)")
        #expect(get.status == 200 && get.body == blob, "the resumed blob must be exactly the client's bytes")
        return true
    }

    /// The upload's status once no request holds the session (a request the client abandoned may still be
    /// finishing): waits up to 10 s for it to stop answering "in use".
    static func settledStatus(_ location: String, port: Int) async throws -> RawHTTPConnection.Response {
        let deadline = ContinuousClock.now + .seconds(10)
        while true {
            let response = try await RawHTTPConnection.request(port: port, "GET", location)
            let inUse = response.status == 400 && response.errorCode == "BLOB_UPLOAD_INVALID"
            if !inUse { return response }
            try #require(ContinuousClock.now < deadline, "the session stayed in use after its client went away")
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// The upload directory holds no session (they were all discarded or swept), within `timeout`.
    static func expectNoSessions(_ fixture: ServeFixture, within timeout: Duration = .seconds(10)) async throws {
        let uploads = fixture.root + "/.ocitool/uploads"
        let deadline = ContinuousClock.now + timeout
        while !FileSystem.list(uploads).isEmpty, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(FileSystem.list(uploads).isEmpty, "sessions left: \(FileSystem.list(uploads))")
    }

    /// The server still answers, and a normal push and pull still work.
    static func expectServing(_ port: Int, repository: String = "app") async throws {
        let ping = try await RawHTTPConnection.request(port: port, "GET", "/v2/")
        #expect(ping.status == 200)
        let blob = randomBytes(4096)
        let digest = Digest.sha256(of: blob)
        let push = try await RawHTTPConnection.request(
            port: port, "POST", "/v2/\(repository)/blobs/uploads/?digest=\(digest)", body: blob)
        #expect(push.status == 201, "a push after the fault: \(push.status) \(push.errorCode ?? "")")
        let pull = try await RawHTTPConnection.request(port: port, "GET", "/v2/\(repository)/blobs/\(digest)")
        #expect(pull.status == 200 && pull.body == blob)
    }

    /// fsck finds every repository of the store clean, with no temporary files left in them.
    static func expectFsckClean(_ fixture: ServeFixture) throws {
        for name in fixture.store.repositories() {
            let report = try fixture.store.layout(for: name).check()
            #expect(report.isClean, "fsck \(name): \(report.problems)")
            #expect(report.temporaryFiles.isEmpty, "fsck \(name): temporary files \(report.temporaryFiles)")
        }
    }
}
