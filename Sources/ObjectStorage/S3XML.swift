// SPDX-License-Identifier: Apache-2.0
import Foundation

/// Reads the few flat XML documents S3 answers with (ListObjectsV2 results, errors, multipart uploads): the
/// text of named elements, in order. These documents have no attributes that matter, no mixed content and no
/// nesting of an element in itself, so element text between `<Name>` and `</Name>` is the value; the five
/// predefined entities and numeric references are decoded.
enum S3XML {
    /// The text of every `<name>` element, in document order.
    static func values(_ name: String, in text: Substring) -> [String] {
        elements(name, in: text).map { decode($0) }
    }

    /// The first `<name>` element's text.
    static func value(_ name: String, in text: Substring) -> String? { values(name, in: text).first }

    /// The raw inner text of every `<name>` element (for blocks such as `<Contents>` to read fields from).
    static func elements(_ name: String, in text: Substring) -> [Substring] {
        var found: [Substring] = []
        var rest = text[...]
        let open = "<\(name)>"
        let close = "</\(name)>"
        while let start = rest.range(of: open), let end = rest[start.upperBound...].range(of: close) {
            found.append(rest[start.upperBound..<end.lowerBound])
            rest = rest[end.upperBound...]
        }
        return found
    }

    /// Entity and character references decoded.
    static func decode(_ text: Substring) -> String {
        guard text.contains("&") else { return String(text) }
        var result = ""
        var rest = text[...]
        while let amp = rest.firstIndex(of: "&") {
            result += rest[..<amp]
            guard let semicolon = rest[amp...].firstIndex(of: ";") else { break }
            let entity = rest[rest.index(after: amp)..<semicolon]
            switch entity {
            case "amp": result += "&"
            case "lt": result += "<"
            case "gt": result += ">"
            case "quot": result += "\""
            case "apos": result += "'"
            default:
                let number = entity.hasPrefix("#x") ? UInt32(entity.dropFirst(2), radix: 16)
                    : entity.hasPrefix("#") ? UInt32(entity.dropFirst()) : nil
                if let number, let scalar = Unicode.Scalar(number) {
                    result.unicodeScalars.append(scalar)
                } else {
                    result += "&\(entity);"
                }
            }
            rest = rest[rest.index(after: semicolon)...]
        }
        return result + rest
    }
}
