// SPDX-License-Identifier: Apache-2.0
import Foundation

/// A parsed `WWW-Authenticate` challenge: `Bearer realm="…",service="…",scope="…"` or `Basic realm="…"`.
///
/// Spec: https://distribution.github.io/distribution/spec/auth/token/ (how to authenticate), RFC 7235.
struct AuthChallenge: Sendable, Hashable {
    enum Scheme: String, Sendable {
        case basic, bearer
    }

    let scheme: Scheme
    /// Parameters with lowercased names (`realm`, `service`, `scope`, `error`).
    let parameters: [String: String]

    var realm: String? { parameters["realm"] }
    var service: String? { parameters["service"] }

    /// The preferred challenge among the header's values: Bearer, else Basic; nil for other schemes.
    static func parse(_ values: [String]) -> AuthChallenge? {
        let parsed = values.compactMap(parseOne)
        return parsed.first { $0.scheme == .bearer } ?? parsed.first
    }

    /// Parses one header value.
    static func parseOne(_ value: String) -> AuthChallenge? {
        let text = Substring(value).drop { $0 == " " }
        let schemeName = text.prefix { $0 != " " }
        guard let scheme = Scheme(rawValue: schemeName.lowercased()) else { return nil }
        var rest = text.dropFirst(schemeName.count)
        var parameters: [String: String] = [:]
        while true {
            rest = rest.drop { $0 == " " || $0 == "," }
            guard let equals = rest.firstIndex(of: "=") else { break }
            let name = rest[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            rest = rest[rest.index(after: equals)...].drop { $0 == " " }
            var parsedValue = ""
            if rest.first == "\"" {
                rest = rest.dropFirst()
                var escaped = false
                while let character = rest.first {
                    rest = rest.dropFirst()
                    if escaped {
                        parsedValue.append(character)
                        escaped = false
                    } else if character == "\\" {
                        escaped = true
                    } else if character == "\"" {
                        break
                    } else {
                        parsedValue.append(character)
                    }
                }
            } else {
                let token = rest.prefix { $0 != "," }
                parsedValue = token.trimmingCharacters(in: .whitespaces)
                rest = rest.dropFirst(token.count)
            }
            parameters[name] = parsedValue
        }
        return AuthChallenge(scheme: scheme, parameters: parameters)
    }
}
