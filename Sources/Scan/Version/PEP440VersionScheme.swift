// SPDX-License-Identifier: Apache-2.0

/// Python's version order (PyPI): `[N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local]`.
///
/// Spec: https://peps.python.org/pep-0440/ (with its normalisation rules: case, `alpha`/`beta`/
/// `c`/`pre`/`preview` spellings, `-`/`_`/`.` separators, implicit numbers, `-N` post releases, a
/// leading `v`, surrounding whitespace). Trailing zeros of the release are insignificant; a dev
/// release precedes its pre-release, which precedes the release, which precedes its post releases;
/// local versions sort after the public one, numeric segments above alphanumeric ones.
public struct PEP440VersionScheme: ParsedVersionScheme {
    public var name: String { "PEP 440" }

    public init() {}

    enum Local: Comparable {
        case text([UInt8])
        case number(DecimalNumber)
        static func < (lhs: Local, rhs: Local) -> Bool {
            switch (lhs, rhs) {
            case (.number(let a), .number(let b)): return a < b
            case (.text, .number): return true
            case (.number, .text): return false
            case (.text(let a), .text(let b)): return VersionText.compareBytes(a, b) < 0
            }
        }
    }

    struct Version: Comparable {
        var epoch = DecimalNumber([])
        var release: [DecimalNumber] = []
        /// Pre-release: 0 = a, 1 = b, 2 = rc.
        var pre: (kind: Int, number: DecimalNumber)?
        var post: DecimalNumber?
        var dev: DecimalNumber?
        var local: [Local]?

        static func == (lhs: Version, rhs: Version) -> Bool { !(lhs < rhs) && !(rhs < lhs) }

        static func < (lhs: Version, rhs: Version) -> Bool {
            if lhs.epoch != rhs.epoch { return lhs.epoch < rhs.epoch }
            let a = trimmed(lhs.release)
            let b = trimmed(rhs.release)
            if a != b { return a.lexicographicallyPrecedes(b) }
            // Pre-release key: dev-only releases lowest, then pre-releases, then none.
            let preA = lhs.preKey
            let preB = rhs.preKey
            if preA != preB { return preA < preB }
            let postA = lhs.post.map { [$0] } ?? []
            let postB = rhs.post.map { [$0] } ?? []
            if postA != postB { return postA.lexicographicallyPrecedes(postB) }
            switch (lhs.dev, rhs.dev) {
            case (let x?, let y?) where x != y: return x < y
            case (_?, nil): return true
            case (nil, _?): return false
            default: break
            }
            let localA = lhs.local ?? []
            let localB = rhs.local ?? []
            return localA.lexicographicallyPrecedes(localB)
        }

        private static func trimmed(_ release: [DecimalNumber]) -> [DecimalNumber] {
            Array(release.reversed().drop(while: { $0.isZero }).reversed())
        }

        /// (group, kind, number): group 0 = dev release without pre or post, 1 = pre-release, 2 = none.
        private var preKey: (Int, DecimalNumber) {
            if pre == nil && post == nil && dev != nil { return (0, DecimalNumber([])) }
            guard let pre else { return (4, DecimalNumber([])) }
            return (1 + pre.kind, pre.number)
        }
    }

    func parse(_ version: String) throws -> Version {
        let bytes = Array(version.lowercased().utf8)
        var scanner = Scanner(bytes: bytes)
        scanner.skip { $0 == 0x20 || ($0 >= 0x09 && $0 <= 0x0D) }
        _ = scanner.take("v")
        var parsed = Version()
        guard var number = scanner.number() else { throw invalid(version, "no release number") }
        if scanner.take("!") {
            parsed.epoch = number
            guard let first = scanner.number() else { throw invalid(version, "no release number after the epoch") }
            number = first
        }
        parsed.release = [number]
        while scanner.peek(".") && scanner.isDigit(at: 1) {
            scanner.index += 1
            if let next = scanner.number() { parsed.release.append(next) }
        }
        // Pre-release: [-_.]?(alpha|a|beta|b|preview|pre|c|rc)[-_.]?N?
        let spellings: [(String, Int)] = [("alpha", 0), ("a", 0), ("beta", 1), ("b", 1), ("preview", 2), ("pre", 2), ("c", 2), ("rc", 2)]
        if let (kind, number) = scanner.labelled(spellings) { parsed.pre = (kind, number) }
        // Post release: -N, or [-_.]?(post|rev|r)[-_.]?N?
        let mark = scanner.index
        if scanner.take("-"), let number = scanner.number() {
            parsed.post = number
        } else {
            scanner.index = mark
            if let (_, number) = scanner.labelled([("post", 0), ("rev", 0), ("r", 0)]) { parsed.post = number }
        }
        if let (_, number) = scanner.labelled([("dev", 0)]) { parsed.dev = number }
        if scanner.take("+") {
            var segments: [Local] = []
            repeat {
                let start = scanner.index
                scanner.skip(VersionText.isAlnum)
                let segment = Array(bytes[start..<scanner.index])
                guard !segment.isEmpty else { throw invalid(version, "empty local version segment") }
                segments.append(segment.allSatisfy(VersionText.isDigit) ? .number(DecimalNumber(segment)) : .text(segment))
            } while scanner.takeSeparator()
            parsed.local = segments
        }
        scanner.skip { $0 == 0x20 || ($0 >= 0x09 && $0 <= 0x0D) }
        guard scanner.index == bytes.count else { throw invalid(version, "unexpected text at offset \(scanner.index)") }
        return parsed
    }

    /// A cursor over the lowercased bytes of a version.
    private struct Scanner {
        let bytes: [UInt8]
        var index = 0

        func peek(_ text: String) -> Bool {
            let literal = Array(text.utf8)
            return bytes.count - index >= literal.count && Array(bytes[index..<(index + literal.count)]) == literal
        }

        func isDigit(at offset: Int) -> Bool { index + offset < bytes.count && VersionText.isDigit(bytes[index + offset]) }

        mutating func take(_ text: String) -> Bool {
            guard peek(text) else { return false }
            index += text.utf8.count
            return true
        }

        mutating func takeSeparator() -> Bool {
            guard index < bytes.count, [0x2D, 0x5F, 0x2E].contains(bytes[index]) else { return false }
            index += 1
            return true
        }

        mutating func skip(_ predicate: (UInt8) -> Bool) {
            while index < bytes.count && predicate(bytes[index]) { index += 1 }
        }

        mutating func number() -> DecimalNumber? {
            let start = index
            skip(VersionText.isDigit)
            return index > start ? DecimalNumber(bytes[start..<index]) : nil
        }

        /// `[-_.]?LABEL[-_.]?N?` for the first matching spelling (implicit number 0), greedy as the
        /// spec's regular expression; restores the cursor when no spelling matches.
        mutating func labelled(_ spellings: [(String, Int)]) -> (Int, DecimalNumber)? {
            let mark = index
            _ = takeSeparator()
            for (spelling, kind) in spellings where take(spelling) {
                _ = takeSeparator()
                return (kind, number() ?? DecimalNumber([]))
            }
            index = mark
            return nil
        }
    }
}
