// SPDX-License-Identifier: Apache-2.0

/// A Semantic Versioning 2.0.0 version: `MAJOR.MINOR.PATCH[-prerelease][+build]`.
///
/// Spec: https://semver.org/spec/v2.0.0.html (section 11 for precedence). Build metadata is kept but
/// ignored when ordering, so two versions differing only in build compare equal.
struct SemanticVersion: Comparable {
    let major: DecimalNumber
    let minor: DecimalNumber
    let patch: DecimalNumber
    /// Dot-separated pre-release identifiers (empty for a release).
    let prerelease: [ArraySlice<UInt8>]
    let build: [ArraySlice<UInt8>]

    /// Parses the strict grammar of semver.org.
    /// - Returns: nil with a reason when `text` is not a version.
    static func parse(_ text: some StringProtocol) -> Result<SemanticVersion, Reason> {
        let bytes = Array(text.utf8)
        var core = bytes[...]
        var build: [ArraySlice<UInt8>] = []
        var prerelease: [ArraySlice<UInt8>] = []
        if let plus = core.firstIndex(of: 0x2B) {
            build = bytes[(plus + 1)...].split(separator: 0x2E, omittingEmptySubsequences: false)
            core = core[..<plus]
            guard build.allSatisfy({ !$0.isEmpty && $0.allSatisfy(isIdentifierByte) }) else {
                return .failure(Reason("invalid build metadata"))
            }
        }
        if let dash = core.firstIndex(of: 0x2D) {
            prerelease = core[(dash + 1)...].split(separator: 0x2E, omittingEmptySubsequences: false)
            core = core[..<dash]
            for identifier in prerelease {
                guard !identifier.isEmpty, identifier.allSatisfy(isIdentifierByte) else {
                    return .failure(Reason("invalid pre-release identifier"))
                }
                if identifier.allSatisfy(VersionText.isDigit) && identifier.count > 1 && identifier.first == 0x30 {
                    return .failure(Reason("numeric pre-release identifier with a leading zero"))
                }
            }
        }
        let numbers = core.split(separator: 0x2E, omittingEmptySubsequences: false)
        guard numbers.count == 3 else { return .failure(Reason("not MAJOR.MINOR.PATCH")) }
        for number in numbers {
            guard !number.isEmpty, number.allSatisfy(VersionText.isDigit) else {
                return .failure(Reason("version core is not numeric"))
            }
            guard number.count == 1 || number.first != 0x30 else { return .failure(Reason("leading zero")) }
        }
        return .success(
            SemanticVersion(
                major: DecimalNumber(numbers[0]), minor: DecimalNumber(numbers[1]), patch: DecimalNumber(numbers[2]),
                prerelease: prerelease, build: build))
    }

    struct Reason: Error {
        let text: String
        init(_ text: String) { self.text = text }
    }

    private static func isIdentifierByte(_ byte: UInt8) -> Bool { VersionText.isAlnum(byte) || byte == 0x2D }

    static func < (lhs: SemanticVersion, rhs: SemanticVersion) -> Bool { compare(lhs, rhs) < 0 }
    static func == (lhs: SemanticVersion, rhs: SemanticVersion) -> Bool { compare(lhs, rhs) == 0 }

    /// Precedence per semver.org section 11: -1, 0 or 1.
    static func compare(_ lhs: SemanticVersion, _ rhs: SemanticVersion) -> Int {
        for (a, b) in [(lhs.major, rhs.major), (lhs.minor, rhs.minor), (lhs.patch, rhs.patch)] where a != b {
            return a < b ? -1 : 1
        }
        switch (lhs.prerelease.isEmpty, rhs.prerelease.isEmpty) {
        case (true, true): return 0
        case (true, false): return 1
        case (false, true): return -1
        case (false, false): break
        }
        for (a, b) in zip(lhs.prerelease, rhs.prerelease) {
            let numericA = a.allSatisfy(VersionText.isDigit)
            let numericB = b.allSatisfy(VersionText.isDigit)
            let result: Int
            switch (numericA, numericB) {
            case (true, true): result = VersionText.compareDigits(a, b)
            case (true, false): result = -1
            case (false, true): result = 1
            case (false, false): result = VersionText.compareBytes(a, b)
            }
            if result != 0 { return result }
        }
        return lhs.prerelease.count == rhs.prerelease.count ? 0 : (lhs.prerelease.count < rhs.prerelease.count ? -1 : 1)
    }
}
