// SPDX-License-Identifier: Apache-2.0

/// Alpine's version order: `digit{.digit}...{letter}{_suffix{#}}...{~hash}{-r#}`.
///
/// Spec: apk-tools `src/version.c` (https://gitlab.alpinelinux.org/alpine/apk-tools). Versions
/// split into tokens of increasing kind; equal kinds compare by value (a number part with a leading
/// zero compares as text, as Gentoo's rule); where one version runs out first, the longer one is
/// newer unless its next token is a pre-release suffix (`_alpha`, `_beta`, `_pre`, `_rc`).
public struct APKVersionScheme: ParsedVersionScheme {
    public var name: String { "apk" }

    public init() {}

    /// Token kinds in apk's order (the order matters when one version has ended).
    enum Kind: Int, Comparable {
        case initialDigit, digit, letter, suffix, suffixNumber, commitHash, revision, end
        static func < (lhs: Kind, rhs: Kind) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// Suffixes in order; `none` is the pivot between pre- and post-release suffixes.
    static let suffixes = ["alpha", "beta", "pre", "rc", "", "cvs", "svn", "git", "hg", "p"]
    static let noSuffix = 4

    struct Token {
        let kind: Kind
        let text: ArraySlice<UInt8>
        var suffix = 0
    }

    struct Version: Comparable {
        let tokens: [Token]

        static func < (lhs: Version, rhs: Version) -> Bool { APKVersionScheme.compare(lhs.tokens, rhs.tokens) < 0 }
        static func == (lhs: Version, rhs: Version) -> Bool { APKVersionScheme.compare(lhs.tokens, rhs.tokens) == 0 }
    }

    func parse(_ version: String) throws -> Version {
        let bytes = Array(version.utf8)
        var tokens: [Token] = []
        var i = 0
        func digits() -> ArraySlice<UInt8> {
            let start = i
            while i < bytes.count && VersionText.isDigit(bytes[i]) { i += 1 }
            return bytes[start..<i]
        }
        let first = digits()
        guard !first.isEmpty else { throw invalid(version, "does not start with a digit") }
        tokens.append(Token(kind: .initialDigit, text: first))
        while i < bytes.count {
            let last = tokens[tokens.count - 1].kind
            let byte = bytes[i]
            switch byte {
            case 0x61...0x7A:
                guard last <= .digit else { throw invalid(version, "letter after \(last)") }
                tokens.append(Token(kind: .letter, text: bytes[i..<(i + 1)]))
                i += 1
            case 0x2E, 0x30...0x39:
                if byte == 0x2E {
                    guard last <= .digit else { throw invalid(version, "'.' after \(last)") }
                    i += 1
                }
                let kind: Kind
                switch last {
                case .initialDigit, .digit: kind = .digit
                case .suffix: kind = .suffixNumber
                default: throw invalid(version, "number after \(last)")
                }
                let run = digits()
                guard !run.isEmpty else { throw invalid(version, "missing number") }
                tokens.append(Token(kind: kind, text: run))
            case 0x5F:
                guard last <= .suffixNumber else { throw invalid(version, "'_' after \(last)") }
                i += 1
                let start = i
                while i < bytes.count && bytes[i] >= 0x61 && bytes[i] <= 0x7A { i += 1 }
                let word = String(decoding: bytes[start..<i], as: UTF8.self)
                guard !word.isEmpty, let index = Self.suffixes.firstIndex(of: word) else {
                    throw invalid(version, "unknown suffix \"_\(word)\"")
                }
                tokens.append(Token(kind: .suffix, text: bytes[start..<i], suffix: index))
            case 0x7E:
                guard last < .commitHash else { throw invalid(version, "'~' after \(last)") }
                i += 1
                let start = i
                while i < bytes.count && (VersionText.isDigit(bytes[i]) || (bytes[i] >= 0x61 && bytes[i] <= 0x66)) {
                    i += 1
                }
                guard i > start else { throw invalid(version, "empty commit hash") }
                tokens.append(Token(kind: .commitHash, text: bytes[start..<i]))
            case 0x2D:
                guard last < .revision else { throw invalid(version, "second revision") }
                guard i + 1 < bytes.count, bytes[i + 1] == 0x72 else { throw invalid(version, "'-' not followed by 'r'") }
                i += 2
                let run = digits()
                guard !run.isEmpty else { throw invalid(version, "revision without a number") }
                tokens.append(Token(kind: .revision, text: run))
            default:
                throw invalid(version, "unexpected character")
            }
        }
        return Version(tokens: tokens)
    }

    /// apk's comparison of two token lists: -1, 0 or 1.
    static func compare(_ a: [Token], _ b: [Token]) -> Int {
        var index = 0
        while index < a.count && index < b.count && a[index].kind == b[index].kind {
            let result = compare(a[index], b[index])
            if result != 0 { return result }
            index += 1
        }
        let kindA = index < a.count ? a[index] : Token(kind: .end, text: [])
        let kindB = index < b.count ? b[index] : Token(kind: .end, text: [])
        if kindA.kind == kindB.kind { return 0 }
        if kindA.kind == .suffix && kindA.suffix < noSuffix { return -1 }
        if kindB.kind == .suffix && kindB.suffix < noSuffix { return 1 }
        return kindA.kind > kindB.kind ? -1 : 1
    }

    private static func compare(_ a: Token, _ b: Token) -> Int {
        switch a.kind {
        case .digit where a.text.first == 0x30 || b.text.first == 0x30:
            return VersionText.compareBytes(a.text, b.text)
        case .initialDigit, .digit, .suffixNumber, .revision:
            return VersionText.compareDigits(a.text, b.text)
        case .letter, .commitHash:
            return VersionText.compareBytes(a.text, b.text)
        case .suffix:
            return a.suffix == b.suffix ? 0 : (a.suffix < b.suffix ? -1 : 1)
        case .end:
            return 0
        }
    }
}
