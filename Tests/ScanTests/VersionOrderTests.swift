// SPDX-License-Identifier: Apache-2.0
import Foundation
import Scan
import Testing

/// Each scheme's order against an independent implementation, in one batch per scheme: every pair of
/// a tricky hand-picked list, plus consecutive and random pairs of 150 generated versions.
@Suite("Scan: version orders against their oracles")
struct VersionOrderTests {
    /// Pairs where the oracle is known to differ from the ecosystem's own tool, with the tool's
    /// answer (the only hard-coded orders: there is no oracle for them).
    static let knownDivergences: [String: [String: Int]] = [
        // univers orders Alpine versions as Gentoo does, where "-r0" is no revision; apk-tools
        // (src/version.c) ranks the end of a version after a revision token, so 1.0 < 1.0-r0.
        "apk": ["1.0\t1.0-r0": -1],
        // univers ports pymaven, which predates Maven 3.9: there "release" is no alias of "".
        "maven": ["5.3.18.RELEASE\t5.3.18": 0],
    ]

    /// Orders the oracle cannot give: apk's post-release suffixes that Gentoo lacks (`_cvs`, `_svn`,
    /// `_git`, `_hg`), in apk-tools' suffix order (after the release, before `_p`).
    static let apkOnlySuffixes: [(String, String, Int)] = [
        ("1.0", "1.0_cvs", -1), ("1.0_cvs", "1.0_svn", -1), ("1.0_svn", "1.0_git20230101", -1),
        ("1.0_git20230101", "1.0_hg", -1), ("1.0_hg", "1.0_p1", -1), ("1.0_rc1", "1.0_cvs", -1),
        ("1.0_cvs", "1.0-r1", 1), ("1.0_git1", "1.0_git2", -1), ("1.1", "1.0_hg", 1),
    ]

    static func sign(_ result: ComparisonResult) -> Int {
        result == .orderedAscending ? -1 : (result == .orderedSame ? 0 : 1)
    }

    /// Compares `scheme` with the oracle's answers; returns how many pairs the oracle decided.
    @discardableResult
    static func check(
        _ name: String, _ scheme: some VersionScheme, hand: [String], seed: UInt64,
        oracle: ([(String, String)]) throws -> [Int?], refusalAllowed: (String) -> Bool = { _ in false }
    ) throws -> Int {
        let pairs = VersionCases.pairs(name, hand: hand, generated: 150, seed: seed)
        let answers = try oracle(pairs)
        var mismatches: [String] = []
        var decided = 0
        for (pair, answer) in zip(pairs, answers) {
            let key = "\(pair.0)\t\(pair.1)"
            let ours: Int
            do {
                ours = sign(try scheme.compare(pair.0, pair.1))
                let reverse = sign(try scheme.compare(pair.1, pair.0))
                if reverse != -ours { mismatches.append("\(key): not antisymmetric (\(ours), \(reverse))") }
            } catch {
                mismatches.append("\(key): we refused: \(error) (oracle: \(answer.map(String.init) ?? "refused"))")
                continue
            }
            if let expected = knownDivergences[name]?[key] ?? knownDivergences[name]?["\(pair.1)\t\(pair.0)"].map({ -$0 }) {
                if ours != expected { mismatches.append("\(key): ours \(ours), the tool's \(expected)") }
                continue
            }
            guard let answer else {
                if !(refusalAllowed(pair.0) || refusalAllowed(pair.1)) { mismatches.append("\(key): oracle refused") }
                continue
            }
            decided += 1
            if ours != answer { mismatches.append("\(key): ours \(ours), oracle \(answer)") }
        }
        #expect(mismatches.isEmpty, "\(name): \(mismatches.count) of \(pairs.count) pairs differ:\n\(mismatches.prefix(30).joined(separator: "\n"))")
        #expect(decided >= pairs.count * 3 / 4, "\(name): the oracle decided only \(decided) of \(pairs.count) pairs")
        return decided
    }

    @Test func dpkgAgainstDpkgCompareVersions() throws {
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/dpkg"), "dpkg is missing")
        try Self.check("dpkg", DpkgVersionScheme(), hand: VersionCases.dpkg, seed: 1, oracle: Oracle.dpkg)
    }

    @Test func rpmAgainstLabelCompare() throws {
        try Self.check("rpm", RPMVersionScheme(), hand: VersionCases.rpm, seed: 2, oracle: Oracle.rpm)
    }

    @Test func apkAgainstUnivers() throws {
        let gentooLacks = ["_cvs", "_svn", "_git", "_hg"]
        try Self.check("apk", APKVersionScheme(), hand: VersionCases.apk, seed: 3, oracle: { try Oracle.univers("alpine", $0) }) {
            version in gentooLacks.contains { version.contains($0) }
        }
        for (a, b, expected) in Self.apkOnlySuffixes {
            #expect(Self.sign(try APKVersionScheme().compare(a, b)) == expected, "\(a) vs \(b)")
        }
    }

    @Test func pep440AgainstUnivers() throws {
        try Self.check("pep440", PEP440VersionScheme(), hand: VersionCases.pep440, seed: 4, oracle: { try Oracle.univers("pypi", $0) })
    }

    @Test func semverAgainstUnivers() throws {
        try Self.check("semver", SemVerScheme(), hand: VersionCases.semver, seed: 5, oracle: { try Oracle.univers("npm", $0) })
    }

    @Test func goAgainstUnivers() throws {
        try Self.check("go", GoVersionScheme(), hand: VersionCases.go, seed: 6, oracle: { try Oracle.univers("golang", $0) })
    }

    @Test func mavenAgainstUnivers() throws {
        try Self.check("maven", MavenVersionScheme(), hand: VersionCases.maven, seed: 7, oracle: { try Oracle.univers("maven", $0) })
    }
}
