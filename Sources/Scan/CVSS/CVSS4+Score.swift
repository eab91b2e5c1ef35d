// SPDX-License-Identifier: Apache-2.0
import Foundation

extension CVSS4 {
    /// Severity levels per metric (0.1 per step away from the worst value), as the specification's
    /// severity distances use them.
    static let levels: [String: [String: Double]] = [
        "AV": ["N": 0.0, "A": 0.1, "L": 0.2, "P": 0.3], "PR": ["N": 0.0, "L": 0.1, "H": 0.2],
        "UI": ["N": 0.0, "P": 0.1, "A": 0.2], "AC": ["L": 0.0, "H": 0.1], "AT": ["N": 0.0, "P": 0.1],
        "VC": ["H": 0.0, "L": 0.1, "N": 0.2], "VI": ["H": 0.0, "L": 0.1, "N": 0.2], "VA": ["H": 0.0, "L": 0.1, "N": 0.2],
        "SC": ["H": 0.1, "L": 0.2, "N": 0.3], "SI": ["S": 0.0, "H": 0.1, "L": 0.2, "N": 0.3],
        "SA": ["S": 0.0, "H": 0.1, "L": 0.2, "N": 0.3],
        "CR": ["H": 0.0, "M": 0.1, "L": 0.2], "IR": ["H": 0.0, "M": 0.1, "L": 0.2], "AR": ["H": 0.0, "M": 0.1, "L": 0.2],
    ]

    /// The highest-severity vectors of each equivalence class level (EQ3 and EQ6 jointly).
    static let highest: [Int: [Int: [String]]] = [
        1: [0: ["AV:N/PR:N/UI:N"], 1: ["AV:A/PR:N/UI:N", "AV:N/PR:L/UI:N", "AV:N/PR:N/UI:P"], 2: ["AV:P/PR:N/UI:N", "AV:A/PR:L/UI:P"]],
        2: [0: ["AC:L/AT:N"], 1: ["AC:H/AT:N", "AC:L/AT:P"]],
        4: [0: ["SC:H/SI:S/SA:S"], 1: ["SC:H/SI:H/SA:H"], 2: ["SC:L/SI:L/SA:L"]],
        5: [0: ["E:A"], 1: ["E:P"], 2: ["E:U"]],
    ]
    static let highestEQ3EQ6: [String: [String]] = [
        "00": ["VC:H/VI:H/VA:H/CR:H/IR:H/AR:H"],
        "01": ["VC:H/VI:H/VA:L/CR:M/IR:M/AR:H", "VC:H/VI:H/VA:H/CR:M/IR:M/AR:M"],
        "10": ["VC:L/VI:H/VA:H/CR:H/IR:H/AR:H", "VC:H/VI:L/VA:H/CR:H/IR:H/AR:H"],
        "11": [
            "VC:L/VI:H/VA:L/CR:H/IR:M/AR:H", "VC:L/VI:H/VA:H/CR:H/IR:M/AR:M", "VC:H/VI:L/VA:H/CR:M/IR:H/AR:M",
            "VC:H/VI:L/VA:L/CR:M/IR:H/AR:H", "VC:L/VI:L/VA:H/CR:H/IR:H/AR:M",
        ],
        "21": ["VC:L/VI:L/VA:L/CR:H/IR:H/AR:H"],
    ]
    /// The depth of each class level (its largest severity distance plus one), in steps of 0.1.
    static let depth: [String: Double] = [
        "eq1-0": 1, "eq1-1": 4, "eq1-2": 5, "eq2-0": 1, "eq2-1": 2, "eq4-0": 6, "eq4-1": 5, "eq4-2": 4,
        "eq3eq6-00": 7, "eq3eq6-01": 6, "eq3eq6-10": 8, "eq3eq6-11": 8, "eq3eq6-21": 10,
    ]

    /// The macrovector: the six class levels as digits.
    static func macroVector(_ m: Effective) -> [Int] {
        let (av, pr, ui) = (m["AV"], m["PR"], m["UI"])
        let eq1 = av == "N" && pr == "N" && ui == "N" ? 0 : ((av == "N" || pr == "N" || ui == "N") && av != "P" ? 1 : 2)
        let eq2 = m["AC"] == "L" && m["AT"] == "N" ? 0 : 1
        let (vc, vi, va) = (m["VC"], m["VI"], m["VA"])
        let eq3 = vc == "H" && vi == "H" ? 0 : (vc == "H" || vi == "H" || va == "H" ? 1 : 2)
        let eq4 = m["MSI"] == "S" || m["MSA"] == "S" ? 0 : (m["SC"] == "H" || m["SI"] == "H" || m["SA"] == "H" ? 1 : 2)
        let eq5 = ["A": 0, "P": 1, "U": 2][m["E"]] ?? 0
        let eq6 = (m["CR"] == "H" && vc == "H") || (m["IR"] == "H" && vi == "H") || (m["AR"] == "H" && va == "H") ? 0 : 1
        return [eq1, eq2, eq3, eq4, eq5, eq6]
    }

    static func score(_ m: Effective) -> Int {
        if ["VC", "VI", "VA", "SC", "SI", "SA"].allSatisfy({ m[$0] == "N" }) { return 0 }
        let eq = macroVector(m)
        func key(_ digits: [Int]) -> String { digits.map(String.init).joined() }
        func lower(_ index: Int, by step: Int = 1) -> [Int] {
            var next = eq
            next[index] += step
            return next
        }
        guard let value = macroVectorScores[key(eq)] else { return 0 }

        // The score of the next lower macrovector in each class (nil where there is none).
        let lowerEQ1 = macroVectorScores[key(lower(0))]
        let lowerEQ2 = macroVectorScores[key(lower(1))]
        let lowerEQ3EQ6: Double?
        switch (eq[2], eq[5]) {
        case (1, 1), (0, 1): lowerEQ3EQ6 = macroVectorScores[key(lower(2))]
        case (1, 0): lowerEQ3EQ6 = macroVectorScores[key(lower(5))]
        case (0, 0):
            // Two lower neighbours (01 and 10): the higher-scoring one.
            let left = macroVectorScores[key(lower(5))]
            let right = macroVectorScores[key(lower(2))]
            if let left, let right { lowerEQ3EQ6 = left > right ? left : right } else { lowerEQ3EQ6 = right }
        default:
            var next = lower(2)
            next[5] += 1
            lowerEQ3EQ6 = macroVectorScores[key(next)]
        }
        let lowerEQ4 = macroVectorScores[key(lower(3))]
        let lowerEQ5 = macroVectorScores[key(lower(4))]

        // The first combination of class maxima that is at least as severe as the vector in every metric.
        var candidates: [String] = []
        let eq3eq6 = highestEQ3EQ6["\(eq[2])\(eq[5])"] ?? []
        for a in highest[1]?[eq[0]] ?? [] {
            for b in highest[2]?[eq[1]] ?? [] {
                for c in eq3eq6 {
                    for d in highest[4]?[eq[3]] ?? [] {
                        for e in highest[5]?[eq[4]] ?? [] { candidates.append([a, b, c, d, e].joined(separator: "/")) }
                    }
                }
            }
        }
        let names = ["AV", "PR", "UI", "AC", "AT", "VC", "VI", "VA", "SC", "SI", "SA", "CR", "IR", "AR"]
        var distance: [String: Double] = [:]
        for candidate in candidates {
            var maximum: [String: String] = [:]
            for part in candidate.split(separator: "/") {
                let pair = part.split(separator: ":")
                maximum[String(pair[0])] = String(pair[1])
            }
            for name in names {
                distance[name] = (levels[name]?[m[name]] ?? 0) - (levels[name]?[maximum[name] ?? ""] ?? 0)
            }
            if !names.contains(where: { (distance[$0] ?? 0) < 0 }) { break }
        }
        func d(_ names: String...) -> Double { names.reduce(0) { $0 + (distance[$1] ?? 0) } }
        let current = [d("AV", "PR", "UI"), d("AC", "AT"), d("VC", "VI", "VA", "CR", "IR", "AR"), d("SC", "SI", "SA")]
        let step = 0.1
        let depths = [
            (depth["eq1-\(eq[0])"] ?? 1) * step, (depth["eq2-\(eq[1])"] ?? 1) * step,
            (depth["eq3eq6-\(eq[2])\(eq[5])"] ?? 1) * step, (depth["eq4-\(eq[3])"] ?? 1) * step,
        ]
        var existing = 0
        var total = 0.0
        for (index, lowerScore) in [lowerEQ1, lowerEQ2, lowerEQ3EQ6, lowerEQ4].enumerated() {
            guard let lowerScore else { continue }
            existing += 1
            total += (value - lowerScore) * (current[index] / depths[index])
        }
        if lowerEQ5 != nil { existing += 1 }  // EQ5's proportion is always 0
        var result = value - (existing == 0 ? 0 : total / Double(existing))
        result = min(max(result, 0), 10)
        // Half up to one decimal, after nudging by 1e-6 so 5.6499999… (float noise on an exact 5.65)
        // rounds as the reference calculator rounds it.
        return Int(((result + 1e-6) * 10).rounded(.toNearestOrAwayFromZero))
    }
}
