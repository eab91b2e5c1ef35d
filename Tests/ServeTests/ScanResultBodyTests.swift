// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
import Scan
import Testing

@testable import Serve

/// What `GET …/scan` shows of packages a scan could not look up (a Red Hat image's rpms): listed with the reason,
/// so a complete result without findings is not taken for clean.
@Suite struct ScanResultBodyTests {
    private func report(platform: String?, notScanned: [String]) -> ScanReport {
        ScanReport(
            target: ScanTarget(name: "team/ubi", platform: platform), database: DatabaseInfo(source: "vuln.db", builtAt: nil, records: 1),
            findings: [], suppressed: [], filtered: 0, packagesScanned: 1, packagesNotScanned: notScanned, skips: [],
            notices: [])
    }

    private func body(_ reports: [ScanReport]) throws -> [String: Any] {
        let digest = Digest.sha256(of: Data("ubi".utf8))
        let record = ScanRecord(
            digest: digest, repository: "team/ubi", outcome: .complete, scannedAt: Date(), databaseIdentity: "x",
            database: reports.first?.database, reports: reports, error: nil)
        let data = try Registry.scanEncoder.encode(
            ScanResultBody(name: "team/ubi", digest: digest, status: .complete, record: record))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test func packagesNotScannedAreListedWithTheirPlatformWhenThereAreSeveral() throws {
        let line = "glibc 2.34-60.el9_2.3 (rpm): " + (Ecosystem.unmatchableReason("Red Hat:enterprise_linux:9") ?? "")
        let one = try body([report(platform: "linux/amd64", notScanned: [line])])
        #expect(one["packages_not_scanned"] as? [String] == [line])
        #expect((one["counts"] as? [String: Int])?.values.allSatisfy { $0 == 0 } == true)
        let two = try body([
            report(platform: "linux/amd64", notScanned: [line]), report(platform: "linux/arm64", notScanned: [line]),
        ])
        #expect(two["packages_not_scanned"] as? [String] == ["linux/amd64: \(line)", "linux/arm64: \(line)"])
        let none = try body([report(platform: nil, notScanned: [])])
        #expect(none["packages_not_scanned"] as? [String] == [])
    }
}
