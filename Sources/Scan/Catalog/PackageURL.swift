// SPDX-License-Identifier: Apache-2.0

/// A package URL (purl): `pkg:TYPE/NAMESPACE/NAME@VERSION?QUALIFIERS#SUBPATH`.
///
/// Spec: https://github.com/package-url/purl-spec (PURL-SPECIFICATION.rst). `description` is the
/// canonical form: type lowercased, qualifiers sorted by key, components percent-encoded; `init?(_:)`
/// parses any valid purl (as syft, trivy and OSV write them).
public struct PackageURL: Hashable, Sendable, CustomStringConvertible {
    public var type: String
    public var namespace: String?
    public var name: String
    public var version: String?
    public var qualifiers: [String: String]
    public var subpath: String?

    public init(
        type: String,
        namespace: String? = nil,
        name: String,
        version: String? = nil,
        qualifiers: [String: String] = [:],
        subpath: String? = nil
    ) {
        self.type = type.lowercased()
        self.namespace = namespace.flatMap { $0.isEmpty ? nil : $0 }
        self.name = name
        self.version = version.flatMap { $0.isEmpty ? nil : $0 }
        self.qualifiers = qualifiers.filter { !$0.value.isEmpty }
        self.subpath = subpath.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Parses a purl; nil when it is not one (no `pkg:` scheme, no type or no name).
    public init?(_ text: String) {
        guard text.hasPrefix("pkg:") else { return nil }
        var rest = Substring(text.dropFirst(4))
        while rest.hasPrefix("/") { rest = rest.dropFirst() }
        var subpath: String?
        if let hash = rest.lastIndex(of: "#") {
            subpath = Self.decode(rest[rest.index(after: hash)...]).split(separator: "/")
                .filter { $0 != "." && $0 != ".." && !$0.isEmpty }.joined(separator: "/")
            rest = rest[..<hash]
        }
        var qualifiers: [String: String] = [:]
        if let question = rest.lastIndex(of: "?") {
            for pair in rest[rest.index(after: question)...].split(separator: "&") {
                guard let equals = pair.firstIndex(of: "=") else { continue }
                qualifiers[pair[..<equals].lowercased()] = Self.decode(pair[pair.index(after: equals)...])
            }
            rest = rest[..<question]
        }
        var version: String?
        if let at = rest.lastIndex(of: "@"), let slash = rest.lastIndex(of: "/"), at > slash {
            version = Self.decode(rest[rest.index(after: at)...])
            rest = rest[..<at]
        } else if let at = rest.lastIndex(of: "@"), !rest.contains("/") {
            version = Self.decode(rest[rest.index(after: at)...])
            rest = rest[..<at]
        }
        var parts = rest.split(separator: "/", omittingEmptySubsequences: true)
        guard parts.count >= 2, let type = parts.first else { return nil }
        parts.removeFirst()
        let name = Self.decode(parts.removeLast())
        let namespace = parts.isEmpty ? nil : parts.map { Self.decode($0) }.joined(separator: "/")
        self.init(
            type: String(type), namespace: namespace, name: name, version: version, qualifiers: qualifiers,
            subpath: subpath)
    }

    public var description: String {
        var text = "pkg:\(type)/"
        if let namespace {
            text += namespace.split(separator: "/").map { Self.encode($0) }.joined(separator: "/") + "/"
        }
        text += Self.encode(name)
        if let version { text += "@" + Self.encode(version) }
        if !qualifiers.isEmpty {
            text += "?" + qualifiers.sorted { $0.key < $1.key }
                .map { "\($0.key)=\(Self.encode($0.value, keepingSlash: true))" }.joined(separator: "&")
        }
        if let subpath {
            text += "#" + subpath.split(separator: "/").map { Self.encode($0) }.joined(separator: "/")
        }
        return text
    }

    /// Percent-encodes everything but RFC 3986 unreserved characters (and `:`, which purl keeps;
    /// `/` too inside qualifier values).
    private static func encode(_ text: some StringProtocol, keepingSlash: Bool = false) -> String {
        var result = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"), UInt8(ascii: ":"):
                result.unicodeScalars.append(UnicodeScalar(byte))
            case UInt8(ascii: "/") where keepingSlash:
                result.append("/")
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                result += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return result
    }

    private static func decode(_ text: some StringProtocol) -> String {
        let input = Array(text.utf8)
        var bytes: [UInt8] = []
        var index = 0
        while index < input.count {
            if input[index] == UInt8(ascii: "%"), index + 2 < input.count,
                let value = UInt8(String(decoding: input[index + 1...index + 2], as: UTF8.self), radix: 16)
            {
                bytes.append(value)
                index += 3
            } else {
                bytes.append(input[index])
                index += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
