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
