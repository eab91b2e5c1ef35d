// SPDX-License-Identifier: Apache-2.0
import Foundation
import Scan
import Testing

@Suite("Scan: a record's severity")
struct SeverityAssessmentTests {
    @Test func cvssVectorFirst() throws {
        let record = try OSVRecord.decode(Data(OSVRecords.log4shell.utf8))
        let assessment = record.assessSeverity()
        #expect(assessment.rating == .critical)
        #expect(assessment.scoreTenths == 100)
        #expect(assessment.source == .cvss(vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H"))
    }

    @Test func v4PreferredOverV3() {
        let record = OSVRecord(
            id: "TEST-2026-0010",
            severity: [
                .init(type: "CVSS_V3", score: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),
                .init(type: "CVSS_V4", score: "CVSS:4.0/AV:L/AC:L/AT:N/PR:L/UI:N/VC:L/VI:N/VA:N/SC:N/SI:N/SA:N"),
            ])
        let assessment = record.assessSeverity()
        #expect(assessment.source == .cvss(vector: "CVSS:4.0/AV:L/AC:L/AT:N/PR:L/UI:N/VC:L/VI:N/VA:N/SC:N/SI:N/SA:N"))
        #expect(assessment.rating == .medium || assessment.rating == .low)
    }

    @Test func databaseSeverityWhenNoUsableVector() {
        let record = OSVRecord(
            id: "TEST-2026-0011", severity: [.init(type: "CVSS_V3", score: "CVSS:3.1/AV:N/broken")],
            databaseSpecific: .init(severity: "MODERATE"))
        let assessment = record.assessSeverity()
        #expect(assessment.rating == .medium)
        #expect(assessment.source == .database("MODERATE"))
        #expect(assessment.rejected.count == 1)
    }

    @Test func neitherIsUnknown() throws {
        let record = try OSVRecord.decode(Data(OSVRecords.looneyTunables.utf8))
        let assessment = record.assessSeverity()
        #expect(assessment.rating == nil)
        #expect(assessment.source == .unknown)
    }
}
