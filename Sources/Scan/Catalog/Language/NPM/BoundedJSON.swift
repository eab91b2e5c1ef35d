// SPDX-License-Identifier: Apache-2.0
import Foundation

/// JSON parsed only after its nesting depth has been checked over the raw bytes: the parser recurses once per
/// level, so a file of a million `[` must be refused before it is parsed, not crash the process.
enum BoundedJSON {
    /// Why a document was not parsed.
    struct Refusal: Error, CustomStringConvertible {
        let description: String
    }

    /// The parsed document (dictionaries, arrays, strings, numbers as Foundation gives them).
    /// - Throws: `Refusal` for nesting deeper than `maxDepth` or text that is not JSON.
    static func parse(_ data: Data, maxDepth: Int) throws -> Any {
        let depth = maximumDepth(data)
        guard depth <= maxDepth else {
            throw Refusal(description: "JSON nested deeper than \(maxDepth) levels; not parsed")
        }
        do {
            return try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            throw Refusal(description: "not valid JSON")
        }
    }

    /// The deepest nesting of objects and arrays, brackets inside strings ignored.
    static func maximumDepth(_ data: Data) -> Int {
        data.withUnsafeBytes { raw in
            var depth = 0
            var deepest = 0
            var inString = false
            var escaped = false
            for byte in raw {
                if inString {
                    if escaped {
                        escaped = false
                    } else if byte == UInt8(ascii: "\\") {
                        escaped = true
                    } else if byte == UInt8(ascii: "\"") {
                        inString = false
                    }
                    continue
                }
                switch byte {
                case UInt8(ascii: "\""): inString = true
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    depth += 1
                    deepest = max(deepest, depth)
                case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1
                default: break
                }
            }
            return deepest
        }
    }
}

/// What npm's catalogers share: the purl and the license field's three historical shapes.
enum NPMPackage {
    /// `pkg:npm/%40scope/name@version` (the scope is the purl namespace).
    static func purl(name: String, version: String) -> PackageURL {
        if name.hasPrefix("@"), let slash = name.firstIndex(of: "/") {
            return PackageURL(
                type: "npm", namespace: String(name[..<slash]), name: String(name[name.index(after: slash)...]),
                version: version)
        }
        return PackageURL(type: "npm", name: name, version: version)
    }

    /// Licenses from `license` (a string, or a legacy `{"type": …}` object) or the legacy `licenses` array (of
    /// objects or strings), as npm documents them.
    static func licenses(_ object: [String: Any]) -> [String] {
        if let license = object["license"] as? String, !license.isEmpty { return [license] }
        if let license = object["license"] as? [String: Any], let type = license["type"] as? String { return [type] }
        if let list = object["license"] as? [Any] ?? object["licenses"] as? [Any] {
            return list.compactMap { item in
                if let text = item as? String { return text }
                return (item as? [String: Any])?["type"] as? String
            }
        }
        return []
    }

    /// True when any component of `path` is `node_modules`.
    static func isInsideNodeModules(_ path: String) -> Bool {
        path.split(separator: "/").contains("node_modules")
    }

    /// The file's bytes, or nil with a counted skip when it is larger than `limit`.
    static func read(_ file: inout CatalogFile, limit: Int, skips: inout [CatalogSkip]) throws -> Data? {
        do {
            return try file.readAll(limit: limit)
        } catch ScanError.inputTooLarge(_, let size, _) {
            skips.append(
                CatalogSkip(
                    path: file.path, layer: file.layer, reason: "\(size) bytes, over the \(limit)-byte limit; not read"))
            return nil
        }
    }
}
