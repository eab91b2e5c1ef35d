// SPDX-License-Identifier: Apache-2.0
import Foundation
import HTTPTypes
import HummingbirdTesting
import Layout
import Scan
import Testing

@testable import Serve

/// Scanning in `ocitool serve`: scan on push, the scan API, the pull policy, the database watch, the webhook and
/// the metrics, against an image whose layer Python's tarfile wrote and a database `ocitool db import` would hold.
@Suite struct ScanServeTests {
    /// A store and a database with the glibc advisory.
    private func setUp() throws -> (ServeFixture, String) {
        let fixture = ServeFixture()
        try? FileManager.default.removeItem(atPath: fixture.root + "-db")
        let database = try ScanServeFixtures.importRecords(
            ["DSA-5514-1.json": ScanServeFixtures.glibcRecord], root: fixture.root + "-db")
        return (fixture, database)
    }

    @Test func pushIsScannedAndTheAPIShowsTheFinding() async throws {
        let (fixture, database) = try setUp()
        defer { fixture.remove() }
        try await fixture.run(configure: { $0.scan = ScanSettings(database: database) }) { client in
            let digest = try await client.pushDebianImage(to: "team/app", tag: "v1").digest
            let result = try await client.waitForScan("team/app", "v1")
            #expect(result["digest"] as? String == digest.description)
            #expect(result["scanned_at"] is String)
            let counts = result["counts"] as? [String: Int] ?? [:]
            #expect(counts["HIGH"] == 1 && counts["CRITICAL"] == 0)
            let findings = result["findings"] as? [[String: Any]] ?? []
            #expect(findings.count == 1)
            #expect(findings.first?["id"] as? String == "DSA-5514-1")
            #expect(findings.first?["package"] as? String == "libc6")
            #expect(findings.first?["version"] as? String == "2.36-9+deb12u1")
            #expect(findings.first?["fixed_version"] as? String == "2.36-9+deb12u3")
            #expect(findings.first?["severity"] as? String == "HIGH")
            #expect((result["database"] as? [String: Any])?["records"] as? Int == 1)
            // By digest: the same result.
            #expect(try await client.scanResult("team/app", digest.description)["status"] as? String == "complete")

            // The summary.
            let summaryResponse = try await client.execute(uri: "/v2/team/app/scan/summary", method: .get)
            #expect(summaryResponse.status == .ok)
            let summary = try JSONSerialization.jsonObject(with: summaryResponse.body.data) as? [String: Any] ?? [:]
            #expect(summary["tags"] as? Int == 1 && summary["scanned"] as? Int == 1)
            #expect((summary["totals"] as? [String: Int])?["HIGH"] == 1)
            #expect((summary["latest"] as? [String: Any])?["tag"] as? String == "v1")
            #expect(summary["last_scanned"] is String)

            // Metrics moved.
            #expect(try await client.metric(#"ocitool_scans_total{outcome="complete"}"#) == 1)
            #expect(try await client.metric(#"ocitool_scan_findings_total{severity="HIGH"}"#) == 1)

            // POST scans again (same database: only a POST forces it): 202 with the result's location.
            let post = try await client.execute(uri: "/v2/team/app/manifests/v1/scan", method: .post)
            #expect(post.status == .accepted)
            #expect(post.headers[.location] == "/v2/team/app/manifests/\(digest)/scan")
            for _ in 0..<600 where try await client.metric(#"ocitool_scans_total{outcome="complete"}"#) < 2 {
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(try await client.metric(#"ocitool_scans_total{outcome="complete"}"#) == 2)

            // An artifact is not scanned; a manifest route of an odd repository name is untouched.
            let artifact = try await client.pushImage(
                to: "team/app", tag: "sig", layers: 1, artifactType: "application/vnd.example.sig")
            #expect(try await client.scanResult("team/app", "sig")["status"] as? String == "unsupported")
            let odd = try await client.pushImage(to: "x/manifests/scan", tag: "scan", layers: 1)
            let pulled = try await client.execute(uri: "/v2/x/manifests/scan/manifests/scan", method: .get)
            #expect(pulled.status == .ok && pulled.body.data == odd.manifest)
            _ = artifact
            // Unknown manifest: 404 in the envelope.
            let missing = try await client.execute(uri: "/v2/team/app/manifests/nope/scan", method: .get)
            #expect(missing.status == .notFound && missing.errorCode == .manifestUnknown)
        }
    }

    @Test func policyDeniesVulnerablePullsButNotReferrers() async throws {
        let (fixture, database) = try setUp()
        defer { fixture.remove() }
        try await fixture.run(configure: {
            var settings = ScanSettings(database: database)
            settings.policy = PullPolicy(block: .high)
            $0.scan = settings
        }) { client in
            let image = try await client.pushDebianImage(to: "team/app", tag: "v1")
            let digest = image.digest
            _ = try await client.waitForScan("team/app", "v1")
            for method in [HTTPRequest.Method.get, .head] {
                for reference in ["v1", digest.description] {
                    let response = try await client.execute(uri: "/v2/team/app/manifests/\(reference)", method: method)
                    #expect(response.status == .forbidden, "\(method) \(reference)")
                    if method == .get {
                        #expect(response.errorCode == .denied)
                        let message = response.errors.first?.message ?? ""
                        #expect(message.contains("scan.policy") && message.contains("DSA-5514-1"), "\(message)")
                        #expect(message.contains("HIGH") && message.contains("libc6"), "\(message)")
                    }
                }
            }
            // A signature of the image stays readable.
            let signature = try await client.pushImage(
                to: "team/app", tag: nil, layers: 1, subject: image, artifactType: "application/vnd.dev.cosign.artifact.sig.v1+json")
            let pulled = try await client.execute(uri: "/v2/team/app/manifests/\(signature.digest)", method: .get)
            #expect(pulled.status == .ok)
            #expect(try await client.metric("ocitool_scan_policy_denials_total") == 4)
        }
    }

    @Test func allowEntrySuppressesUntilItExpires() async throws {
        let (fixture, database) = try setUp()
        defer { fixture.remove() }
        func settings(expiring expires: Date) -> ScanSettings {
            var settings = ScanSettings(database: database)
            var policy = PullPolicy(block: .high)
            policy.allow = [
                .init(id: "CVE-2023-4911", repositories: "team/*", expires: expires),
                .init(id: "DSA-5514-1", repositories: "*", expires: Date().addingTimeInterval(-60)),
            ]
            settings.policy = policy
            return settings
        }
        // First run: push and scan (slow on a loaded machine), with an entry far from its expiry.
        try await fixture.run(configure: { $0.scan = settings(expiring: Date().addingTimeInterval(3600)) }) { client in
            _ = try await client.pushDebianImage(to: "team/app", tag: "v1")
            _ = try await client.pushDebianImage(to: "other/app", tag: "v1")
            _ = try await client.waitForScan("team/app", "v1")
            _ = try await client.waitForScan("other/app", "v1")
            // Allowed in team/* by the CVE alias (twice: the second from the verdict cache); elsewhere denied.
            #expect(try await client.execute(uri: "/v2/team/app/manifests/v1", method: .get).status == .ok)
            #expect(try await client.execute(uri: "/v2/team/app/manifests/v1", method: .get).status == .ok)
            #expect(try await client.execute(uri: "/v2/other/app/manifests/v1", method: .get).status == .forbidden)
        }
        // Second run over the same store: the results on disk are the same database's, so nothing is scanned
        // again; the entry now expires a few seconds after start, and the cached verdict goes with it.
        let expires = Date().addingTimeInterval(8)
        try await fixture.run(configure: { $0.scan = settings(expiring: expires) }) { client in
            _ = try await client.waitForScan("team/app", "v1")
            #expect(try await client.execute(uri: "/v2/team/app/manifests/v1", method: .get).status == .ok)
            try await Task.sleep(for: .seconds(max(0, expires.timeIntervalSinceNow) + 0.5))
            let after = try await client.execute(uri: "/v2/team/app/manifests/v1", method: .get)
            #expect(after.status == .forbidden && after.errorCode == .denied)
        }
    }

    @Test func unscannedImagesFollowTheSetting() async throws {
        let (fixture, database) = try setUp()
        defer { fixture.remove() }
        for unscanned in [PullPolicy.Unscanned.allow, .deny] {
            try await fixture.run(configure: {
                var settings = ScanSettings(database: database)
                settings.onPush = false
                var policy = PullPolicy(block: .critical)
                policy.unscanned = unscanned
                settings.policy = policy
                $0.scan = settings
            }) { client in
                _ = try await client.pushDebianImage(to: "team/\(unscanned.rawValue)", tag: "v1")
                let state = try await client.scanResult("team/\(unscanned.rawValue)", "v1")
                // Pushed while the store walk at start had nothing: never queued.
                #expect(state["status"] as? String == "not_scanned")
                let response = try await client.execute(uri: "/v2/team/\(unscanned.rawValue)/manifests/v1", method: .get)
                #expect(response.status == (unscanned == .allow ? .ok : .forbidden))
                if unscanned == .deny {
                    #expect((response.errors.first?.message ?? "").contains("not been scanned"))
                }
            }
        }
    }

    @Test func databaseChangeRescansAndTheWebhookHearsOfNewFindings() async throws {
        let (fixture, database) = try setUp()
        defer { fixture.remove() }
        let receiver = try WebhookReceiver()
        defer { receiver.stop() }
        try await fixture.run(configure: {
            var settings = ScanSettings(database: database)
            settings.recheck = .milliseconds(200)
            settings.webhook = .init(url: "http://127.0.0.1:\(receiver.port)/hook")
            $0.scan = settings
        }) { client in
            _ = try await client.pushDebianImage(to: "team/app", tag: "v1")
            _ = try await client.waitForScan("team/app", "v1")
            for _ in 0..<100 where receiver.received.isEmpty { try await Task.sleep(for: .milliseconds(100)) }
            #expect(receiver.received.count == 1)
            let first = try JSONSerialization.jsonObject(with: receiver.received.first ?? Data()) as? [String: Any]
            #expect(first?["repository"] as? String == "team/app")
            #expect((first?["new_findings"] as? [[String: Any]])?.map { $0["id"] as? String } == ["DSA-5514-1"])

            // A new advisory: the watcher sees the database change and rescans; the webhook hears only the new id.
            try ScanServeFixtures.importRecords(["DSA-5532-1.json": ScanServeFixtures.opensslRecord], root: fixture.root + "-db")
            let result = try await client.waitForScan("team/app", "v1") { ($0["findings"] as? [Any])?.count == 2 }
            #expect((result["counts"] as? [String: Int])?["CRITICAL"] == 1)
            #expect((result["database"] as? [String: Any])?["records"] as? Int == 2)
            for _ in 0..<100 where receiver.received.count < 2 { try await Task.sleep(for: .milliseconds(100)) }
            #expect(receiver.received.count == 2)
            let second = try JSONSerialization.jsonObject(with: receiver.received.last ?? Data()) as? [String: Any]
            #expect((second?["new_findings"] as? [[String: Any]])?.map { $0["id"] as? String } == ["DSA-5532-1"])
            // The counter moves once the delivery's response is read, just after the receiver has the body.
            let delivered = #"ocitool_scan_webhook_deliveries_total{result="delivered"}"#
            for _ in 0..<100 where try await client.metric(delivered) < 2 { try await Task.sleep(for: .milliseconds(100)) }
            #expect(try await client.metric(delivered) == 2)

            // A forced rescan finding nothing new sends nothing.
            #expect(try await client.execute(uri: "/v2/team/app/manifests/v1/scan", method: .post).status == .accepted)
            for _ in 0..<600 where try await client.metric(#"ocitool_scans_total{outcome="complete"}"#) < 3 {
                try await Task.sleep(for: .milliseconds(100))
            }
            try await Task.sleep(for: .milliseconds(300))
            #expect(receiver.received.count == 2)
        }
    }

    @Test func configurationFileReadsTheScanSection() throws {
        let (fixture, database) = try setUp()
        defer { fixture.remove() }
        let yaml = """
            root: \(fixture.root)
            scan:
              db: \(database)
              workers: 2
              queue: 5
              policy:
                block: high
                unscanned: deny
                allow:
                  - id: CVE-2023-4911
                    repositories: "team/*"
                    expires: 2027-01-01
              webhook: {url: "http://127.0.0.1:9/hook", retries: 1}
            """
        let configuration = try ServeConfiguration.parse(yaml: yaml, file: "/tmp/G-serve.yaml")
        let scan = try #require(configuration.scan)
        #expect(scan.workers == 2 && scan.queue == 5 && scan.onPush)
        #expect(scan.policy?.block == .high && scan.policy?.unscanned == .deny)
        #expect(scan.policy?.allow.first?.expires == VulnerabilityDatabase.parseTimestamp("2027-01-01T00:00:00Z"))
        #expect(scan.webhook?.retries == 1)
        try configuration.validate()
        // --check-config prints the section, and reading it back gives the same configuration.
        let printed = configuration.effectiveYAML
        #expect(printed.contains("block: HIGH") && printed.contains("CVE-2023-4911"))
        #expect(try ServeConfiguration.parse(yaml: printed, file: "/tmp/G-check.yaml").effectiveYAML == printed)
        #expect(throws: ConfigurationError.self) {
            try ServeConfiguration.parse(yaml: "root: /x\nscan: {db: /x, policy: {block: SEVERE}}", file: "/tmp/G.yaml")
        }
        var missing = configuration
        missing.scan?.database = fixture.root + "/no-such.db"
        #expect(throws: ConfigurationError.self) { try missing.validate() }
    }
}
