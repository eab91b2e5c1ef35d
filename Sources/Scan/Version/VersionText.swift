// SPDX-License-Identifier: Apache-2.0

/// Byte-level helpers shared by the version schemes (ASCII only: every scheme here is defined on ASCII).
enum VersionText {
    static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
    static func isAlpha(_ byte: UInt8) -> Bool { (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A }
    static func isAlnum(_ byte: UInt8) -> Bool { isDigit(byte) || isAlpha(byte) }

    /// Compares two runs of decimal digits of any length as numbers (no overflow: leading zeros are
    /// dropped, then the longer run is larger, then the first differing digit decides).
    static func compareDigits<A: Collection<UInt8>, B: Collection<UInt8>>(_ a: A, _ b: B) -> Int {
        let left = a.drop(while: { $0 == 0x30 })
        let right = b.drop(while: { $0 == 0x30 })
        if left.count != right.count { return left.count < right.count ? -1 : 1 }
        for (x, y) in zip(left, right) where x != y { return x < y ? -1 : 1 }
        return 0
    }

    /// Compares bytes lexicographically (as `strcmp` does), returning -1, 0 or 1.
    static func compareBytes<A: Sequence<UInt8>, B: Sequence<UInt8>>(_ a: A, _ b: B) -> Int {
        var left = a.makeIterator()
        var right = b.makeIterator()
        while true {
            switch (left.next(), right.next()) {
            case (nil, nil): return 0
            case (nil, _): return -1
            case (_, nil): return 1
            case (let x?, let y?) where x != y: return x < y ? -1 : 1
            default: continue
            }
        }
    }
}

/// A non-negative integer of any length kept as its decimal digits, ordered numerically.
struct DecimalNumber: Comparable, Hashable, Sendable {
    /// The digits without leading zeros ("" for zero).
    let digits: [UInt8]

    init<C: Collection<UInt8>>(_ bytes: C) { digits = Array(bytes.drop(while: { $0 == 0x30 })) }

    var isZero: Bool { digits.isEmpty }

    static func < (lhs: DecimalNumber, rhs: DecimalNumber) -> Bool {
        VersionText.compareDigits(lhs.digits, rhs.digits) < 0
    }
}
