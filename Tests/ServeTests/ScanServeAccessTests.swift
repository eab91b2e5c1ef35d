// SPDX-License-Identifier: Apache-2.0
import Foundation
import HTTPTypes
import HummingbirdTesting
import Layout
import Scan
import Testing

@testable import Serve

/// The scan API under the repository access rules, and the pull policy's `unknown` and `unscanned` settings.
@Suite struct ScanServeAccessTests {
    /// DSA-5514-1 without a severity: its finding is UNKNOWN.
    static let unratedGlibcRecord = """
        {"id": "DSA-5514-1", "modified": "2023-10-03T00:00:00Z", "upstream": ["CVE-2023-4911"],
         "affected": [{"package": {"ecosystem": "Debian:12", "name": "glibc"},
           "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.36-9+deb12u3"}]}]}]}
        """

    private func setUp(_ record: String = ScanServeFixtures.glibcRecord) throws -> (ServeFixture, String) {
        let fixture = ServeFixture()
        try? FileManager.default.removeItem(atPath: fixture.root + "-db")
        let database = try ScanServeFixtures.importRecords(["DSA-5514-1.json": record], root: fixture.root + "-db")
        return (fixture, database)
    }

    private func remove(_ fixture: ServeFixture) {
        fixture.removeAll()
        try? FileManager.default.removeItem(atPath: fixture.root + "-db")
    }

    @Test func scanRoutesFollowTheRepositoryRules() async throws {
        let (fixture, database) = try setUp()
        defer { remove(fixture) }
        // alice may push and pull team/*, carol only pull it; bob has no rule at all.
        let auth = try fixture.auth { auth in
            auth.groups = ["devs": ["alice"]]
            auth.rules = [
                AuthConfiguration.Rule(groups: ["devs"], repositories: ["team/*"], actions: [.pull, .push]),
                AuthConfiguration.Rule(users: ["carol"], repositories: ["team/*"], actions: [.pull]),
            ]
        }
        try await fixture.run(configure: {
            $0.auth = auth
            $0.scan = ScanSettings(database: database)
        }) { client in
            let alice = TestUsers.basic("alice")
            _ = try await client.pushDebianImage(to: "team/app", tag: "v1", headers: alice)
            _ = try await client.waitForScan("team/app", "v1", headers: alice)
            func status(_ method: HTTPRequest.Method, _ path: String, _ headers: HTTPFields) async throws
                -> HTTPResponse.Status
            {
                try await client.execute(uri: path, method: method, headers: headers).status
            }
            let result = "/v2/team/app/manifests/v1/scan"
            let summary = "/v2/team/app/scan/summary"
            // Reading a result or the summary is a pull.
            for path in [result, summary] {
                #expect(try await status(.get, path, alice) == .ok, "\(path)")
                #expect(try await status(.get, path, TestUsers.basic("carol")) == .ok, "\(path)")
                #expect(try await status(.get, path, TestUsers.basic("bob")) == .forbidden, "\(path)")
                let anonymous = try await client.execute(uri: path, method: .get)
                #expect(anonymous.status == .unauthorized && anonymous.errorCode == .unauthorized, "\(path)")
                #expect(anonymous.headers[.wwwAuthenticate] == "Basic realm=\"ocitool\"")
            }
            // Asking for a scan is a push.
            #expect(try await status(.post, result, alice) == .accepted)
            let carol = try await client.execute(uri: result, method: .post, headers: TestUsers.basic("carol"))
            #expect(carol.status == .forbidden && carol.errorCode == .denied)
            #expect(try await status(.post, result, TestUsers.basic("bob")) == .forbidden)
            #expect(try await status(.post, result, [:]) == .unauthorized)
            // Outside the rules' repositories, even alice is refused before anything is looked up.
            #expect(try await status(.get, "/v2/other/app/manifests/v1/scan", alice) == .forbidden)
            #expect(try await status(.post, "/v2/other/app/manifests/v1/scan", alice) == .forbidden)
            #expect(try await status(.get, "/v2/other/app/scan/summary", alice) == .forbidden)
        }
    }

    @Test(arguments: [(VulnerabilitySeverity?.none, true), (.medium, true), (.high, false)])
    func unknownFindingsCountAsPolicyUnknownSays(unknown: VulnerabilitySeverity?, allowed: Bool) async throws {
        let (fixture, database) = try setUp(Self.unratedGlibcRecord)
        defer { remove(fixture) }
        try await fixture.run(configure: {
            var settings = ScanSettings(database: database)
            var policy = PullPolicy(block: .high)
            policy.unknown = unknown
            settings.policy = policy
            $0.scan = settings
        }) { client in
            _ = try await client.pushDebianImage(to: "team/app", tag: "v1")
            let result = try await client.waitForScan("team/app", "v1")
            // The result keeps the database's rating; only the policy counts it as `unknown`.
            #expect((result["counts"] as? [String: Int])?["UNKNOWN"] == 1)
            let pull = try await client.execute(uri: "/v2/team/app/manifests/v1", method: .get)
            #expect(pull.status == (allowed ? .ok : .forbidden))
            if !allowed {
                let message = pull.errors.first?.message ?? ""
                #expect(message.contains("(block: HIGH)") && message.contains("DSA-5514-1"), "\(message)")
                #expect(message.contains("[HIGH]") && message.contains("libc6"), "\(message)")
                #expect(try await client.metric("ocitool_scan_policy_denials_total") == 1)
            }
        }
    }

    @Test(arguments: [PullPolicy.Unscanned.allow, .deny])
    func aFailedScanFollowsUnscanned(unscanned: PullPolicy.Unscanned) async throws {
        let (fixture, database) = try setUp()
        defer { remove(fixture) }
        try await fixture.run(configure: {
            var settings = ScanSettings(database: database)
            var policy = PullPolicy(block: .critical)
            policy.unscanned = unscanned
            settings.policy = policy
            $0.scan = settings
        }) { client in
            // A layer that is no tar archive: the scan fails, so the image has no complete scan.
            let layer = randomBytes(4096)
            let layerDigest = try await client.pushBlob(layer, to: "team/app")
            let config = Data(#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#.utf8)
            let configDigest = try await client.pushBlob(config, to: "team/app")
            let manifest = ImageManifest(
                config: Descriptor(mediaType: .ociConfig, digest: configDigest, size: Int64(config.count)),
                layers: [Descriptor(mediaType: .ociLayerGzip, digest: layerDigest, size: Int64(layer.count))])
            let put = try await client.execute(
                uri: "/v2/team/app/manifests/broken", method: .put,
                headers: [.contentType: Layout.MediaType.ociManifest.rawValue],
                body: try JSONEncoder.ocitool.encode(manifest).buffer)
            #expect(put.status == .created)
            let result = try await client.waitForScan("team/app", "broken") { $0["status"] as? String == "failed" }
            #expect((result["error"] as? String)?.isEmpty == false)
            let pull = try await client.execute(uri: "/v2/team/app/manifests/broken", method: .get)
            #expect(pull.status == (unscanned == .allow ? .ok : .forbidden))
            if unscanned == .deny {
                let message = pull.errors.first?.message ?? ""
                #expect(message.contains("(unscanned: deny)") && message.contains("could not be scanned"), "\(message)")
            }
        }
    }
}
