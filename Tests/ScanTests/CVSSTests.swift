// SPDX-License-Identifier: Apache-2.0
import Foundation
import Scan
import Testing

@Suite("Scan: CVSS base scores against the cvss package")
struct CVSSTests {
    /// Every combination of the eight v3 base metrics (2,592 vectors).
    static func allV3BaseVectors(version: String) -> [String] {
        var vectors = [""]
        for (metric, values) in [
            ("AV", ["N", "A", "L", "P"]), ("AC", ["L", "H"]), ("PR", ["N", "L", "H"]), ("UI", ["N", "R"]),
            ("S", ["U", "C"]), ("C", ["H", "L", "N"]), ("I", ["H", "L", "N"]), ("A", ["H", "L", "N"]),
        ] {
            vectors = vectors.flatMap { prefix in values.map { "\(prefix)/\(metric):\($0)" } }
        }
        return vectors.map { "CVSS:\(version)\($0)" }
    }

    static func check(_ vectors: [String], oracle kind: String, score: (String) throws -> (Int, String)) throws {
        let answers = try Oracle.cvss(kind, vectors)
        var mismatches: [String] = []
        for (vector, answer) in zip(vectors, answers) {
            guard let answer else {
                mismatches.append("\(vector): the oracle refused it")
                continue
            }
            let (tenths, severity) = try score(vector)
            let ours = "\(tenths / 10).\(tenths % 10) \(severity)"
            if ours != answer { mismatches.append("\(vector): ours \(ours), cvss \(answer)") }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) of \(vectors.count) differ:\n\(mismatches.prefix(30).joined(separator: "\n"))")
    }

    @Test func v31AllBaseVectors() throws {
        try Self.check(Self.allV3BaseVectors(version: "3.1"), oracle: "cvss3") {
            let cvss = try CVSS3(vector: $0)
            return (cvss.baseScoreTenths, cvss.severity.rawValue)
        }
    }

    @Test func v30AllBaseVectors() throws {
        try Self.check(Self.allV3BaseVectors(version: "3.0"), oracle: "cvss3") {
            let cvss = try CVSS3(vector: $0)
            return (cvss.baseScoreTenths, cvss.severity.rawValue)
        }
    }

    /// Temporal and environmental metrics (in any order) do not change the base score.
    @Test func v3WithOtherMetricsInAnyOrder() throws {
        var rng = SeededGenerator(seed: 31)
        let extras = ["E:F", "RL:O", "RC:C", "CR:H", "IR:L", "AR:M", "MAV:L", "MAC:H", "MPR:N", "MUI:R", "MS:C", "MC:N", "MI:H", "MA:L", "E:X"]
        let vectors = Self.allV3BaseVectors(version: "3.1").shuffled(using: &rng).prefix(200).map { vector -> String in
            var parts = vector.split(separator: "/").dropFirst().map(String.init)
            var used = Set<String>()
            for extra in extras.shuffled(using: &rng).prefix(Int.random(in: 0...4, using: &rng)) {
                let name = String(extra.split(separator: ":")[0])
                if used.insert(name).inserted { parts.append(extra) }
            }
            return "CVSS:3.1/" + parts.shuffled(using: &rng).joined(separator: "/")
        }
        try Self.check(vectors, oracle: "cvss3") {
            let cvss = try CVSS3(vector: $0)
            return (cvss.baseScoreTenths, cvss.severity.rawValue)
        }
    }

    /// Random v4.0 vectors: base metrics only (CVSS-B), then with random threat, environmental and
    /// supplemental metrics (CVSS-BTE; supplemental ones never change the score).
    static func v4Vectors(count: Int, seed: UInt64, extras: Bool) -> [String] {
        var rng = SeededGenerator(seed: seed)
        let base: [(String, [String])] = [
            ("AV", ["N", "A", "L", "P"]), ("AC", ["L", "H"]), ("AT", ["N", "P"]), ("PR", ["N", "L", "H"]), ("UI", ["N", "P", "A"]),
            ("VC", ["H", "L", "N"]), ("VI", ["H", "L", "N"]), ("VA", ["H", "L", "N"]), ("SC", ["H", "L", "N"]),
            ("SI", ["H", "L", "N"]), ("SA", ["H", "L", "N"]),
        ]
        let optional: [(String, [String])] = [
            ("E", ["X", "A", "P", "U"]), ("CR", ["X", "H", "M", "L"]), ("IR", ["X", "H", "M", "L"]), ("AR", ["X", "H", "M", "L"]),
            ("MAV", ["X", "N", "A", "L", "P"]), ("MAC", ["X", "L", "H"]), ("MAT", ["X", "N", "P"]), ("MPR", ["X", "N", "L", "H"]),
            ("MUI", ["X", "N", "P", "A"]), ("MVC", ["X", "H", "L", "N"]), ("MVI", ["X", "H", "L", "N"]), ("MVA", ["X", "H", "L", "N"]),
            ("MSC", ["X", "H", "L", "N"]), ("MSI", ["X", "S", "H", "L", "N"]), ("MSA", ["X", "S", "H", "L", "N"]),
            ("S", ["X", "N", "P"]), ("AU", ["X", "N", "Y"]), ("R", ["X", "A", "U", "I"]), ("V", ["X", "D", "C"]),
            ("RE", ["X", "L", "M", "H"]), ("U", ["X", "Clear", "Green", "Amber", "Red"]),
        ]
        return (0..<count).map { _ in
            var parts = base.map { "\($0.0):\($0.1.randomElement(using: &rng) ?? "")" }
            if extras {
                for (name, values) in optional where Int.random(in: 0..<3, using: &rng) == 0 {
                    parts.append("\(name):\(values.randomElement(using: &rng) ?? "")")
                }
            }
            return "CVSS:4.0/" + parts.joined(separator: "/")
        }
    }

    @Test func v40BaseVectors() throws {
        try Self.check(Self.v4Vectors(count: 3000, seed: 40, extras: false), oracle: "cvss4") {
            let cvss = try CVSS4(vector: $0)
            return (cvss.scoreTenths, cvss.severity.rawValue)
        }
    }

    @Test func v40WithThreatEnvironmentalAndSupplementalMetrics() throws {
        try Self.check(Self.v4Vectors(count: 3000, seed: 41, extras: true), oracle: "cvss4") {
            let cvss = try CVSS4(vector: $0)
            return (cvss.scoreTenths, cvss.severity.rawValue)
        }
    }

    @Test(arguments: [
        "", "CVSS:4.0", "CVSS:3.1/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:R/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:S/SA:N", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:F",
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/AV:N", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/S:U",
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/U:red",
    ])
    func malformedV4VectorsAreRejected(_ vector: String) {
        #expect(throws: ScanError.self) { try CVSS4(vector: vector) }
    }

    @Test(arguments: [
        "", "CVSS:3.1", "CVSS:3.2/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H", "CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/A:H", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/",
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/XX:Y", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A",
        "cvss:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "CVSS:3.1/AV:n/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        "9.8 CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
    ])
    func malformedV3VectorsAreRejected(_ vector: String) {
        #expect(throws: ScanError.self) { try CVSS3(vector: vector) }
    }

    @Test func severityBands() {
        #expect([0, 1, 39, 40, 69, 70, 89, 90, 100].map { CVSSSeverity(tenths: $0) } == [
            .none, .low, .low, .medium, .medium, .high, .high, .critical, .critical,
        ])
        #expect(CVSSSeverity.low < .critical)
    }
}
