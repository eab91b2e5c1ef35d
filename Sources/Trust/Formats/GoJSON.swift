// SPDX-License-Identifier: Apache-2.0

/// JSON text written the way Go's `encoding/json` writes it (cosign and go-containerregistry are Go): fields
/// in declaration order, map keys sorted, no spaces, `<`, `>`, `&`, U+2028 and U+2029 escaped. The formats
/// cosign signs are hashed byte for byte, so ocitool writes the same bytes cosign would for the same content.
enum GoJSON {
    /// One JSON value already written.
    struct Value: Sendable {
        let text: String

        static let null = Value(text: "null")

        static func string(_ string: String) -> Value { Value(text: GoJSON.quote(string)) }

        static func int(_ value: Int64) -> Value { Value(text: String(value)) }

        /// An object whose fields keep the given order (a Go struct).
        static func object(_ fields: [(String, Value)]) -> Value {
            Value(text: "{" + fields.map { "\(GoJSON.quote($0.0)):\($0.1.text)" }.joined(separator: ",") + "}")
        }

        /// An object with sorted keys (a Go map).
        static func map(_ entries: [String: Value]) -> Value {
            object(entries.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }.map { ($0.key, $0.value) })
        }

        static func stringMap(_ entries: [String: String]) -> Value { map(entries.mapValues { .string($0) }) }

        static func array(_ values: [Value]) -> Value {
            Value(text: "[" + values.map(\.text).joined(separator: ",") + "]")
        }

        /// The UTF-8 bytes.
        var bytes: [UInt8] { Array(text.utf8) }
    }

    /// A string literal as Go quotes it (`encoding/json` with HTML escaping, as `json.Marshal` does).
    static func quote(_ string: String) -> String {
        var result = "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case "\u{08}": result += "\\b"
            case "\u{0C}": result += "\\f"
            case "<", ">", "&", "\u{2028}", "\u{2029}":
                result += "\\u" + hex4(scalar.value)
            case _ where scalar.value < 0x20:
                result += "\\u" + hex4(scalar.value)
            default:
                result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }

    private static func hex4(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
