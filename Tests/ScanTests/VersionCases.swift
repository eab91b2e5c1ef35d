// SPDX-License-Identifier: Apache-2.0

/// Version strings for the order tests: tricky hand-picked ones per scheme plus generated ones.
/// The oracles decide the expected order; nothing here states one.
enum VersionCases {
    static let dpkg = [
        "0", "0.0", "1", "1.0", "1.0-0", "1.0-1", "1.0-1~bpo1", "1.0~rc1", "1.0~rc1-1", "1.0~~", "1.0~~a", "1.0~",
        "1.0a", "1.0A", "1.0+", "1.0.", "1.0+dfsg-1", "1.0+dfsg1-1", "1.0-1+deb12u1", "1.0-1+b1", "1.00", "1.01",
        "1:0.1", "2:0", "0:1.0", "10", "9", "1.2.3-4ubuntu0.1", "2.36-9+deb12u3", "2.36-9+deb12u4", "2.36-9",
        "1.0-a", "1.0-A", "1.0-~", "1.0-1.1", "1.0-1.a", "1.0--1", "1.0-1-1", "3.0.11-1~deb12u2", "3.0.11-1",
        "1.18.6+dfsg-1", "0.0.0~git20220906", "7.88.1-10+deb12u5", "1:2.39.2-1.1", "20230311", "1.2.3.4.5",
    ]

    static let rpm = [
        "1.0", "1.0-1", "1.0-2", "1.0-1.el9", "1.0-1.el9_2", "1.0~rc1", "1.0~rc1-1", "1.0^git1", "1.0^", "1.0~",
        "1.0^git1~pre", "1.0a", "1.0.a", "1.0_1", "1.0.1", "1.01", "1.001", "1", "1:0.1", "2:0.1", "0:1.0",
        "1.0-1.fc38", "1.0-1.el8", "2.34-60.el9", "2.34-60.el9_2.7", "2.34-83.el9_3.7", "1.0a1", "1.0b", "1.0B",
        "1.0.0", "1.0..0", "1.0+1", "1.0~~", "1.0~a", "1.0~b", "5.2.15", "5.2.15-1.el9", "1.10", "1.9", "abc",
        "1.0-1^post", "10.0.1-0.1.rc1.el9",
    ]

    static let apk = [
        "1", "1.0", "1.0.0", "1.0-r0", "1.0-r1", "1.0-r10", "1.0_alpha", "1.0_alpha1", "1.0_beta", "1.0_beta2",
        "1.0_pre1", "1.0_rc1", "1.0_rc2", "1.0_p1", "1.0_p2", "1.0_cvs", "1.0_svn", "1.0_git20230101", "1.0_hg",
        "1.0a", "1.0b", "1.0a_rc1", "1.0_rc1-r1", "1.0_alpha_beta", "1.01", "1.1", "1.001", "1.10", "2.0",
        "3.1.4-r0", "3.1.3-r0", "3.1.4-r5", "1.36.1-r2", "1.36.1-r15", "2.0_p1-r1", "0.9.9", "1.2.3_rc1_p2",
        "1.0.1a", "1.0.1z", "10.0", "9.9.9",
    ]

    static let pep440 = [
        "1.0", "1.0.0", "1", "v1.0", "1.0a1", "1.0a", "1.0alpha1", "1.0.a1", "1.0-a1", "1.0b1", "1.0beta1",
        "1.0rc1", "1.0c1", "1.0pre1", "1.0preview1", "1.0.dev0", "1.0.dev1", "1.0dev", "1.0a1.dev1",
        "1.0a1.post1", "1.0.post1", "1.0-1", "1.0post1", "1.0.rev1", "1.0.r1", "1.0.post1.dev1", "1.0+local",
        "1.0+1", "1.0+abc.1", "1.0+abc.2", "1.0+1.abc", "1.0+ABC", "1!0.1", "1!1.0", "0!2.0", "1.0.0.0.1",
        "2.0", "10.0", "1.10", "1.9", "1.0a10", "1.0a2", "1.0RC1", "  1.0  ", "1.0.post", "1.0a.1", "3.1.3",
        "3.1.2", "1.0_rc_1", "1.0-dev-1",
    ]

    static let semver = [
        "0.0.0", "0.0.1", "0.1.0", "1.0.0", "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta",
        "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0-0", "1.0.0-1", "1.0.0-a", "1.0.0-A", "1.0.0--",
        "1.0.0-alpha-1", "1.0.0+build", "1.0.0+build.2", "1.0.0-alpha+001", "1.2.3", "1.2.10", "1.10.0",
        "2.0.0", "10.0.0", "4.17.19", "4.17.21", "3.7.0", "0.2.4", "1.2.6", "1.0.0-x.7.z.92", "1.0.0-alpha.0",
        "1.0.0-alpha.00a", "99999999999999999999.0.0",
    ]

    static let go = [
        "v0.0.0", "v0.0.1", "v1.0.0", "v1.2.3", "v1.2.3-pre", "v1.2.3-pre.1", "v1.2.3+incompatible",
        "v2.0.0+incompatible", "v0.0.0-20220906165146-f3363e06e74c", "v0.0.0-20210101000000-abcdefabcdef",
        "v1.2.4-0.20220906165146-f3363e06e74c", "v1.2.3-pre.0.20220906165146-f3363e06e74c",
        "v0.1.0", "v1.18.6", "v1.19.0-0", "v1.19.1", "v1.10.0", "v1.9.9", "v2.0.0", "1.2.3", "0.0.0-20220906165146-f3363e06e74c",
    ]

    static let maven = [
        "1", "1.0", "1.0.0", "1-0", "1.0-ga", "1.0-final", "1.0-alpha", "1.0-alpha1", "1.0-alpha-1", "1.0a1",
        "1.0-beta", "1.0-b1", "1.0-milestone-1", "1.0-m1", "1.0-rc1", "1.0-cr1", "1.0-RC1", "1.0-snapshot",
        "1.0-SNAPSHOT", "1.0-sp", "1.0-sp1", "1.0-foo", "1.0-bar", "1.0.1", "1.0-1", "1.0.0.1", "1.1",
        "2.0-beta9", "2.3.1", "2.4", "2.12.2", "2.13.0", "2.15.0", "2.14.1", "2.0", "2.0-rc1", "2.0-rc2",
        "1.0.RC1", "1.0.0-RC1", "1.0-a", "1.0-1-1", "1.0-xyz-1", "1.0.z", "1.0.0.0.0", "2.17.1",
        "5.3.18.RELEASE", "5.3.18",
    ]

    /// `count` generated versions for a scheme, from its own alphabet of parts.
    static func generated(_ scheme: String, count: Int, seed: UInt64) -> [String] {
        var rng = SeededGenerator(seed: seed)
        func pick(_ options: [String]) -> String { options.randomElement(using: &rng) ?? "" }
        func number() -> String { pick(["0", "1", "2", "9", "10", "01", "00", "123", "4"]) }
        func numbers(_ range: ClosedRange<Int>) -> String {
            (0..<Int.random(in: range, using: &rng)).map { _ in number() }.joined(separator: ".")
        }
        func maybe(_ text: @autoclosure () -> String, _ chance: Int = 3) -> String {
            Int.random(in: 0..<chance, using: &rng) == 0 ? text() : ""
        }
        func strip(_ text: String) -> String { text.hasPrefix("0") && text.count > 1 ? String(text.dropFirst()) : text }
        return (0..<count).map { _ in
            switch scheme {
            case "dpkg":
                return maybe(pick(["1", "2", "0"]) + ":", 5) + pick(["1", "2", "0", "10"]) + maybe("." + numbers(1...2), 2)
                    + maybe(pick(["~rc1", "~", "+dfsg", "a", "b", "~beta2", "+git1", ".a", "~~"]))
                    + maybe("-" + number() + maybe(pick(["+deb12u1", "~bpo1", "ubuntu1", ".1", "+b2", "~"])), 2)
            case "rpm":
                return maybe(pick(["1", "2", "0"]) + ":", 5) + numbers(1...3)
                    + maybe(pick(["~rc1", "^git2", "a", ".b", "_1", "~", "^"]))
                    + maybe("-" + number() + maybe(pick([".el9", ".el9_2", ".fc38", "~pre", "^post"])), 2)
            case "apk":
                // The first number without a leading zero: univers's Gentoo grammar refuses one (apk takes it).
                return strip(number()) + maybe("." + numbers(1...2), 2) + maybe(pick(["a", "b", "z"]), 4)
                    + maybe("_" + pick(["alpha", "beta", "pre", "rc", "p", "cvs", "git"]) + maybe(strip(number()), 2))
                    + maybe("-r" + strip(number()), 2)
            case "pep440":
                return maybe(strip(number()) + "!", 6) + numbers(1...3).split(separator: ".").map { strip(String($0)) }.joined(separator: ".")
                    + maybe(pick(["a", "b", "rc", ".alpha", "-beta", "c", "pre"]) + maybe(number(), 2))
                    + maybe(pick([".post", "-", ".post", "post", ".rev"]) + number(), 4)
                    + maybe(pick([".dev", "dev", "-dev"]) + maybe(number(), 2), 4)
                    + maybe("+" + pick(["ubuntu", "1", "abc.2", "1.a", "x.y.1"]), 5)
            case "semver", "go":
                let core = [number(), number(), number()].map(strip).joined(separator: ".")
                let pre = maybe("-" + (0..<Int.random(in: 1...3, using: &rng)).map { _ in pick(["alpha", "beta", "rc", "0", "1", "11", "2", "x-y", "A"]) }.joined(separator: "."), 2)
                if scheme == "go" {
                    return "v" + core + pre + maybe("+incompatible", 5)
                }
                return core + pre + maybe("+" + pick(["build", "001", "sha.5114f85"]), 5)
            default:  // maven
                return numbers(1...3) + maybe(pick(["-", "."]) + pick(["alpha", "beta", "milestone", "rc", "cr", "snapshot", "ga", "final", "sp", "foo", "a", "b", "m"]) + maybe(number(), 2))
                    + maybe(pick(["-", "."]) + number(), 3)
            }
        }
    }

    /// Every pair of the hand-picked list, then consecutive and random pairs of generated versions.
    static func pairs(_ scheme: String, hand: [String], generated count: Int, seed: UInt64) -> [(String, String)] {
        var result: [(String, String)] = []
        for i in hand.indices {
            for j in hand.indices where j > i { result.append((hand[i], hand[j])) }
        }
        let made = generated(scheme, count: count, seed: seed)
        var rng = SeededGenerator(seed: seed &+ 1)
        for index in made.indices {
            result.append((made[index], made[(index + 1) % made.count]))
            result.append((made[index], (hand + made).randomElement(using: &rng) ?? made[index]))
        }
        return result
    }
}
