// SPDX-License-Identifier: Apache-2.0

/// Maven's version order (`org.apache.maven.artifact.versioning.ComparableVersion`).
///
/// Spec: https://maven.apache.org/pom.html#version-order-specification. The lowercased version
/// splits at `.`, `-` and digit/letter transitions into numbers and qualifiers; `-` and
/// transitions open a sub-list. Trailing "null" items (0, "", `ga`, `final`, `release`, empty
/// lists) are dropped, so `1.0.0` = `1` = `1-ga`. Qualifiers order alpha < beta < milestone <
/// rc = cr < snapshot < "" = ga = final = release < sp < any other (alphabetically); `a1`, `b1`,
/// `m1` mean alpha, beta, milestone. A number beats a qualifier and a sub-list.
public struct MavenVersionScheme: ParsedVersionScheme {
    public var name: String { "Maven" }

    public init() {}

    indirect enum Item: Comparable {
        case number(DecimalNumber)
        case qualifier(String)
        case list([Item])

        static let qualifiers = ["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"]
        static let aliases = ["ga": "", "final": "", "release": "", "cr": "rc"]

        /// Maven's comparable form of a qualifier: its index, or "7-name" for an unknown one.
        static func rank(_ qualifier: String) -> String {
            qualifiers.firstIndex(of: qualifier).map(String.init) ?? "\(qualifiers.count)-\(qualifier)"
        }

        var isNull: Bool {
            switch self {
            case .number(let number): return number.isZero
            case .qualifier(let text): return text.isEmpty
            case .list(let items): return items.isEmpty
            }
        }

        /// This item against a missing one (the other version ended): -1, 0 or 1.
        var comparedToNothing: Int {
            switch self {
            case .number(let number): return number.isZero ? 0 : 1
            case .qualifier(let text): return VersionText.compareBytes(Item.rank(text).utf8, Item.rank("").utf8)
            case .list(let items):
                for item in items {
                    let result = item.comparedToNothing
                    if result != 0 { return result }
                }
                return 0
            }
        }

        static func compare(_ lhs: Item?, _ rhs: Item?) -> Int {
            switch (lhs, rhs) {
            case (nil, nil): return 0
            case (let item?, nil): return item.comparedToNothing
            case (nil, let item?): return -item.comparedToNothing
            case (.number(let a)?, .number(let b)?): return a == b ? 0 : (a < b ? -1 : 1)
            case (.number?, _): return 1
            case (_, .number?): return -1
            case (.qualifier(let a)?, .qualifier(let b)?): return VersionText.compareBytes(rank(a).utf8, rank(b).utf8)
            case (.qualifier?, .list?): return -1
            case (.list?, .qualifier?): return 1
            case (.list(let a)?, .list(let b)?):
                for index in 0..<max(a.count, b.count) {
                    let result = compare(index < a.count ? a[index] : nil, index < b.count ? b[index] : nil)
                    if result != 0 { return result }
                }
                return 0
            }
        }

        static func < (lhs: Item, rhs: Item) -> Bool { compare(lhs, rhs) < 0 }
        static func == (lhs: Item, rhs: Item) -> Bool { compare(lhs, rhs) == 0 }
    }

    /// A list under construction (sub-lists are appended before they are filled).
    private final class Builder {
        var items: [Element] = []
        enum Element {
            case item(Item)
            case list(Builder)
        }

        /// The finished list, normalised bottom-up: trailing null items before the last non-list go.
        func build() -> Item {
            var built = items.map { element -> Item in
                switch element {
                case .item(let item): return item
                case .list(let builder): return builder.build()
                }
            }
            var index = built.count - 1
            while index >= 0 {
                if built[index].isNull {
                    built.remove(at: index)
                } else if case .list = built[index] {
                } else {
                    break
                }
                index -= 1
            }
            return .list(built)
        }
    }

    func parse(_ version: String) throws -> Item {
        let text = version.lowercased()
        guard !text.isEmpty else { throw invalid(version, "empty") }
        guard text.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else {
            throw invalid(version, "whitespace, control or non-ASCII character")
        }
        let bytes = Array(text.utf8)
        let root = Builder()
        var list = root
        var isDigit = false
        var start = 0
        func item(_ range: Range<Int>, digits: Bool, followedByDigit: Bool = false) -> Item {
            let slice = bytes[range]
            if digits { return .number(DecimalNumber(slice)) }
            var word = String(decoding: slice, as: UTF8.self)
            if followedByDigit && word.count == 1 {
                word = ["a": "alpha", "b": "beta", "m": "milestone"][word] ?? word
            }
            return .qualifier(Item.aliases[word] ?? word)
        }
        func openList() {
            let sublist = Builder()
            list.items.append(.list(sublist))
            list = sublist
        }
        for (i, byte) in bytes.enumerated() {
            if byte == 0x2E || byte == 0x2D {
                list.items.append(.item(i == start ? .number(DecimalNumber([])) : item(start..<i, digits: isDigit)))
                start = i + 1
                if byte == 0x2D { openList() }
            } else if VersionText.isDigit(byte) {
                if !isDigit && i > start {
                    list.items.append(.item(item(start..<i, digits: false, followedByDigit: true)))
                    start = i
                    openList()
                }
                isDigit = true
            } else {
                if isDigit && i > start {
                    list.items.append(.item(item(start..<i, digits: true)))
                    start = i
                    openList()
                }
                isDigit = false
            }
        }
        if bytes.count > start { list.items.append(.item(item(start..<bytes.count, digits: isDigit))) }
        return root.build()
    }
}
