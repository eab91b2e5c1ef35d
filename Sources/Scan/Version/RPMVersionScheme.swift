// SPDX-License-Identifier: Apache-2.0

/// RPM's version order: `[epoch:]version[-release]`, segments compared as rpm's `rpmvercmp`.
///
/// Spec: rpm's `rpmio/rpmvercmp.c` and the rpm versioning docs
/// (https://rpm-software-management.github.io/rpm/manual/dependencies.html#versioning). Alphanumeric
/// segments compare (digits numerically, newer than letters), separators only split, `~` sorts
/// before everything (even the end) and `^` after the end but before anything else. The epoch
/// compares as a number (absent is 0); a release present on one side only makes that side newer
/// (as `rpm.labelCompare` with a missing release).
public struct RPMVersionScheme: ParsedVersionScheme {
    public var name: String { "rpm" }

    public init() {}

    struct Version: Comparable {
        let epoch: DecimalNumber
        let version: [UInt8]
        let release: [UInt8]?

        static func < (lhs: Version, rhs: Version) -> Bool { compare(lhs, rhs) < 0 }
        static func == (lhs: Version, rhs: Version) -> Bool { compare(lhs, rhs) == 0 }

        static func compare(_ lhs: Version, _ rhs: Version) -> Int {
            if lhs.epoch != rhs.epoch { return lhs.epoch < rhs.epoch ? -1 : 1 }
            let version = RPMVersionScheme.rpmvercmp(lhs.version, rhs.version)
            if version != 0 { return version }
            switch (lhs.release, rhs.release) {
            case (nil, nil): return 0
            case (nil, _): return -1
            case (_, nil): return 1
            case (let left?, let right?): return RPMVersionScheme.rpmvercmp(left, right)
            }
        }
    }

    func parse(_ version: String) throws -> Version {
        let text = Array(version.utf8)
        guard !text.isEmpty else { throw invalid(version, "empty") }
        guard text.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw invalid(version, "whitespace, control or non-ASCII character")
        }
        var rest = text[...]
        var epoch = DecimalNumber([])
        if let colon = rest.firstIndex(of: 0x3A) {
            let digits = rest[..<colon]
            guard !digits.isEmpty, digits.allSatisfy(VersionText.isDigit) else {
                throw invalid(version, "epoch is not a number")
            }
            epoch = DecimalNumber(digits)
            rest = rest[(colon + 1)...]
        }
        var release: [UInt8]?
        if let dash = rest.lastIndex(of: 0x2D) {
            release = Array(rest[(dash + 1)...])
            rest = rest[..<dash]
            guard release?.isEmpty == false else { throw invalid(version, "empty release") }
        }
        guard !rest.isEmpty else { throw invalid(version, "empty version") }
        guard !rest.contains(0x3A), release?.contains(0x3A) != true else { throw invalid(version, "misplaced ':'") }
        return Version(epoch: epoch, version: Array(rest), release: release)
    }

    /// rpm's `rpmvercmp`: -1, 0 or 1.
    static func rpmvercmp(_ a: [UInt8], _ b: [UInt8]) -> Int {
        if a == b { return 0 }
        var i = 0
        var j = 0
        func at(_ s: [UInt8], _ k: Int) -> UInt8 { k < s.count ? s[k] : 0 }
        func isSeparator(_ c: UInt8) -> Bool { c != 0 && !VersionText.isAlnum(c) && c != 0x7E && c != 0x5E }
        while at(a, i) != 0 || at(b, j) != 0 {
            while isSeparator(at(a, i)) { i += 1 }
            while isSeparator(at(b, j)) { j += 1 }
            let x = at(a, i)
            let y = at(b, j)
            if x == 0x7E || y == 0x7E {  // tilde: before everything
                if x != 0x7E { return 1 }
                if y != 0x7E { return -1 }
                i += 1
                j += 1
                continue
            }
            if x == 0x5E || y == 0x5E {  // caret: after the end, before anything else
                if x == 0 { return -1 }
                if y == 0 { return 1 }
                if x != 0x5E { return 1 }
                if y != 0x5E { return -1 }
                i += 1
                j += 1
                continue
            }
            if x == 0 || y == 0 { break }
            let numeric = VersionText.isDigit(x)
            func inSegment(_ byte: UInt8) -> Bool { numeric ? VersionText.isDigit(byte) : VersionText.isAlpha(byte) }
            let startA = i
            while i < a.count && inSegment(a[i]) { i += 1 }
            let startB = j
            while j < b.count && inSegment(b[j]) { j += 1 }
            if startB == j { return numeric ? 1 : -1 }  // different kinds: numeric is newer
            let result =
                numeric
                ? VersionText.compareDigits(a[startA..<i], b[startB..<j])
                : VersionText.compareBytes(a[startA..<i], b[startB..<j])
            if result != 0 { return result }
        }
        if at(a, i) == 0 && at(b, j) == 0 { return 0 }
        return at(a, i) != 0 ? 1 : -1
    }
}
