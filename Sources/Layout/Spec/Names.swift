// SPDX-License-Identifier: Apache-2.0

/// Validation of repository names and tags against the distribution-spec grammars.
///
/// Spec: https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md#pulling-manifests
public enum Names {
    /// Longest repository name accepted (distribution's limit).
    public static let maxNameLength = 255
    /// Longest tag accepted.
    public static let maxTagLength = 128

    /// Checks `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*`.
    /// - Throws: `LayoutError.invalidName` naming the offending part.
    public static func validateRepository(_ name: String) throws(LayoutError) {
        guard !name.isEmpty else { throw .invalidName(name, reason: "the name is empty") }
        guard name.utf8.count <= maxNameLength else {
            throw .invalidName(name, reason: "longer than \(maxNameLength) characters")
        }
        for component in name.split(separator: "/", omittingEmptySubsequences: false) {
            guard isValidComponent(Array(component.utf8)) else {
                let shown = component.isEmpty ? "an empty path component" : "component '\(component)'"
                throw .invalidName(
                    name,
                    reason: "\(shown) must be lowercase letters and digits, separated by '.', '_', '__' or '-'"
                )
            }
        }
    }

    /// Checks `[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}`.
    /// - Throws: `LayoutError.invalidTag`.
    public static func validateTag(_ tag: String) throws(LayoutError) {
        guard isValidTag(tag) else { throw .invalidTag(tag) }
    }

    /// Whether `tag` matches the tag grammar.
    public static func isValidTag(_ tag: String) -> Bool {
        let bytes = Array(tag.utf8)
        guard let first = bytes.first, bytes.count <= maxTagLength, isAlnum(first) || first == UInt8(ascii: "_")
        else { return false }
        return bytes.allSatisfy { isAlnum($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
    }

    private static func isAlnum(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
    }

    private static func isLowerAlnum(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x7A)
    }

    /// `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`
    private static func isValidComponent(_ bytes: [UInt8]) -> Bool {
        var index = 0
        func run() -> Bool {
            let start = index
            while index < bytes.count, isLowerAlnum(bytes[index]) { index += 1 }
            return index > start
        }
        guard run() else { return false }
        while index < bytes.count {
            let separatorStart = index
            switch bytes[index] {
            case UInt8(ascii: "."):
                index += 1
            case UInt8(ascii: "_"):
                index += 1
                if index < bytes.count, bytes[index] == UInt8(ascii: "_") { index += 1 }
            case UInt8(ascii: "-"):
                while index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
            default:
                return false
            }
            guard index > separatorStart, run() else { return false }
        }
        return true
    }
}
