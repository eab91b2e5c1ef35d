// SPDX-License-Identifier: Apache-2.0
import Sync
import Testing

@Suite struct TagFilterTests {
    static let tags = [
        "latest", "1.0.0", "v1.1.0", "1.2", "1.2.5", "1.10.0", "2.0.0-rc.1", "2.0.0", "2.1.0-alpine", "3", "nightly-2024",
    ]

    @Test(arguments: [
        // (allow, deny, expected)
        ([], [], tags.sorted()),
        (["^v?1\\."], [], ["1.0.0", "1.10.0", "1.2", "1.2.5", "v1.1.0"]),
        (["^1\\.2"], [], ["1.2", "1.2.5"]),
        (["rc", "alpine"], [], ["2.0.0-rc.1", "2.1.0-alpine"]),
        // Unanchored: "1.0" matches inside "v1.1.0" and "2.1.0-alpine", not "1.10.0".
        (["1\\.0"], [], ["1.0.0", "2.1.0-alpine", "v1.1.0"]),
        ([], ["-"], ["1.0.0", "1.10.0", "1.2", "1.2.5", "2.0.0", "3", "latest", "v1.1.0"]),
        (["^\\d"], ["-rc", "^1\\.2"], ["1.0.0", "1.10.0", "2.0.0", "2.1.0-alpine", "3"]),
        (["^[a-z]+$"], [], ["latest"]),
    ] as [([String], [String], [String])])
    func regularExpressions(allow: [String], deny: [String], expected: [String]) throws {
        let filter = try TagFilter(allow: allow, deny: deny)
        #expect(filter.apply(TagFilterTests.tags).sorted() == expected.sorted())
    }

    @Test(arguments: [
        (">=1.2 <2", ["1.2", "1.2.5", "1.10.0"]),
        (">=1.2, <2", ["1.2", "1.2.5", "1.10.0"]),
        (">= 1.2 < 2", ["1.2", "1.2.5", "1.10.0"]),
        ("1.2", ["1.2", "1.2.5"]),
        ("1.2.x", ["1.2", "1.2.5"]),
        ("=1.2.5", ["1.2.5"]),
        ("1.2.5", ["1.2.5"]),
        ("^1.1", ["v1.1.0", "1.2", "1.2.5", "1.10.0"]),
        ("~1.2.3", ["1.2.5"]),
        ("~1", ["1.0.0", "v1.1.0", "1.2", "1.2.5", "1.10.0"]),
        (">1.2", ["1.10.0", "2.0.0", "3"]),
        ("<=1.2", ["1.0.0", "v1.1.0", "1.2", "1.2.5"]),
        ("<1.2", ["1.0.0", "v1.1.0"]),
        ("1.0 - 1.2", ["1.0.0", "v1.1.0", "1.2", "1.2.5"]),
        ("1.0.0 - 1.2.0", ["1.0.0", "v1.1.0", "1.2"]),
        ("<1.1 || >=3", ["1.0.0", "3"]),
        ("*", ["1.0.0", "v1.1.0", "1.2", "1.2.5", "1.10.0", "2.0.0", "3"]),
        // Pre-releases only when the range names one of the same release.
        (">=2.0.0-rc.0", ["2.0.0-rc.1", "2.0.0", "3"]),
        (">=2 <3", ["2.0.0"]),
        ("^2.1.0-alpine", ["2.1.0-alpine"]),
    ])
    func semanticVersionRanges(range: String, expected: [String]) throws {
        let filter = try TagFilter(semver: range)
        #expect(filter.apply(TagFilterTests.tags) == TagFilter.ordered(expected), "range \(range)")
    }

    @Test(arguments: [
        // (allow, semver, latest, expected in order)
        ([], ">=1", 2, ["2.0.0", "3"]),
        (["^v?1\\."], nil, 3, ["1.2", "1.2.5", "1.10.0"]),  // by version: 1.10.0 is above 1.2.5
        (["^1\\.10", "^1\\.2\\.5"], nil, 1, ["1.10.0"]),
        ([], nil, 2, ["nightly-2024", "v1.1.0"]),  // "latest" and "nightly-2024" are no versions: by name
        ([], nil, 100, tags.sorted()),
    ] as [([String], String?, Int, [String])])
    func latestN(allow: [String], semver: String?, latest: Int, expected: [String]) throws {
        let filter = try TagFilter(allow: allow, semver: semver, latest: latest)
        #expect(filter.apply(TagFilterTests.tags) == expected)
    }

    @Test func versionsOrderAsSemVerSays() {
        let ordered = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2",
                       "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "v1.0.1", "1.2", "1.10"]
        let versions = ordered.compactMap { SemanticVersion($0) }
        #expect(versions.count == ordered.count)
        #expect(versions == versions.sorted())
        #expect(TagFilter.ordered(ordered.reversed()) == ordered)
        #expect(SemanticVersion("v1.2") == SemanticVersion("1.2.0"))
        #expect(SemanticVersion("1.2.3+build.5")?.build == "build.5")
        for notAVersion in ["latest", "1.2.3.4", "1..2", "v", "1.2.", "1.-2", "1.2.3-", "1.2.3-a..b", "x1", "1.2a"] {
            #expect(SemanticVersion(notAVersion) == nil, "\(notAVersion)")
        }
    }

    @Test(arguments: [
        ("", "the range is empty"),
        (">=", "'>=' is not followed by a version"),
        (">=x.1", "'x.1' is not a version"),
        ("1.x.2", "'1.x.2' is not a version"),
        (">=1.2.3.4", "'1.2.3.4' is not a version"),
        ("=> 1", "'=>' is not an operator"),
        (">= >= 1", "'>=' is followed by another operator"),
        ("1 ||", "an alternative between '||' is empty"),
        ("<*", "'<*' matches no version"),
    ])
    func invalidRangesSayWhatIsWrong(range: String, message: String) {
        #expect {
            _ = try TagFilter(semver: range)
        } throws: { error in
            "\(error)".contains(message) && "\(error)".contains("invalid version range '\(range)'")
        }
    }

    @Test func invalidExpressionsAndLimitsAreRejected() {
        #expect(throws: SyncError.self) { _ = try TagFilter(allow: ["("]) }
        #expect(throws: SyncError.self) { _ = try TagFilter(deny: [""]) }
        #expect(throws: SyncError.self) { _ = try TagFilter(latest: 0) }
    }
}
