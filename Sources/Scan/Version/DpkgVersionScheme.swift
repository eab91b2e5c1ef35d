// SPDX-License-Identifier: Apache-2.0

/// Debian's version order: `[epoch:]upstream[-revision]`.
///
/// Spec: https://www.debian.org/doc/debian-policy/ch-controlfields.html#version (5.6.12). Epochs
/// compare as numbers; upstream and revision alternate non-digit runs (letters before non-letters,
/// `~` before everything, even the end) and digit runs (numerically), as dpkg's `verrevcmp`.
public struct DpkgVersionScheme: ParsedVersionScheme {
    public var name: String { "dpkg" }

    public init() {}

    struct Version: Comparable {
        let epoch: DecimalNumber
        let upstream: [UInt8]
        let revision: [UInt8]

        static func < (lhs: Version, rhs: Version) -> Bool {
            if lhs.epoch != rhs.epoch { return lhs.epoch < rhs.epoch }
            let upstream = DpkgVersionScheme.compareParts(lhs.upstream, rhs.upstream)
            if upstream != 0 { return upstream < 0 }
            return DpkgVersionScheme.compareParts(lhs.revision, rhs.revision) < 0
        }

        static func == (lhs: Version, rhs: Version) -> Bool { !(lhs < rhs) && !(rhs < lhs) }
    }

    func parse(_ version: String) throws -> Version {
        let text = Array(version.utf8.drop(while: { $0 == 0x20 }).reversed().drop(while: { $0 == 0x20 }).reversed())
        guard !text.isEmpty else { throw invalid(version, "empty") }
        guard !text.contains(where: { $0 == 0x20 || $0 == 0x09 }) else { throw invalid(version, "embedded space") }
        var rest = text[...]
        var epoch = DecimalNumber([])
        if let colon = rest.firstIndex(of: 0x3A) {
            let digits = rest[..<colon]
            guard !digits.isEmpty else { throw invalid(version, "empty epoch") }
            guard digits.allSatisfy(VersionText.isDigit) else { throw invalid(version, "epoch is not a number") }
            epoch = DecimalNumber(digits)
            guard epoch.digits.count <= 9 else { throw invalid(version, "epoch too big") }
            rest = rest[(colon + 1)...]
            guard !rest.isEmpty else { throw invalid(version, "nothing after the epoch colon") }
        }
        var upstream = rest
        var revision = rest[rest.endIndex...]
        if let dash = rest.lastIndex(of: 0x2D) {
            upstream = rest[..<dash]
            revision = rest[(dash + 1)...]
            guard !revision.isEmpty else { throw invalid(version, "empty revision") }
        }
        guard let first = upstream.first else { throw invalid(version, "empty upstream version") }
        guard VersionText.isDigit(first) else { throw invalid(version, "upstream version does not start with a digit") }
        // Policy: upstream may hold . + ~ - and (with an epoch) :, revision only . + ~.
        guard upstream.allSatisfy({ VersionText.isAlnum($0) || [0x2E, 0x2B, 0x7E, 0x2D, 0x3A].contains($0) }) else {
            throw invalid(version, "invalid character in upstream version")
        }
        guard revision.allSatisfy({ VersionText.isAlnum($0) || [0x2E, 0x2B, 0x7E].contains($0) }) else {
            throw invalid(version, "invalid character in revision")
        }
        return Version(epoch: epoch, upstream: Array(upstream), revision: Array(revision))
    }

    /// The weight of one non-digit character: `~` lowest, then the end of the string, then
    /// letters, then every other character (after all letters).
    private static func order(_ byte: UInt8?) -> Int {
        guard let byte else { return 0 }
        if VersionText.isDigit(byte) { return 0 }
        if VersionText.isAlpha(byte) { return Int(byte) }
        if byte == 0x7E { return -1 }
        return Int(byte) + 256
    }

    /// dpkg's `verrevcmp` over one part (upstream or revision): -1, 0 or 1.
    static func compareParts(_ a: [UInt8], _ b: [UInt8]) -> Int {
        var i = 0
        var j = 0
        while i < a.count || j < b.count {
            while (i < a.count && !VersionText.isDigit(a[i])) || (j < b.count && !VersionText.isDigit(b[j])) {
                let x = order(i < a.count ? a[i] : nil)
                let y = order(j < b.count ? b[j] : nil)
                if x != y { return x < y ? -1 : 1 }
                i += 1
                j += 1
            }
            let startA = i
            while i < a.count && VersionText.isDigit(a[i]) { i += 1 }
            let startB = j
            while j < b.count && VersionText.isDigit(b[j]) { j += 1 }
            let digits = VersionText.compareDigits(a[startA..<i], b[startB..<j])
            if digits != 0 { return digits }
        }
        return 0
    }
}
