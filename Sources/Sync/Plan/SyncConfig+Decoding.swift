// SPDX-License-Identifier: Apache-2.0
import Foundation
import Yams

extension SyncConfig {
    /// Parses a configuration from YAML (JSON is YAML too).
    /// - Parameter name: what error messages call the text (the file's path).
    /// - Throws: `.invalidArgument("NAME: PLACE: PROBLEM")`: YAML syntax with line and column, a missing or
    ///   unknown key, a value of the wrong type, with the place as a path (`repositories[1].tags.latest`).
    public init(yaml text: String, name: String = "the configuration") throws(SyncError) {
        do {
            self = try YAMLDecoder().decode(SyncConfig.self, from: text)
        } catch let error as DecodingError {
            throw .invalidArgument("\(name): \(SyncConfig.describe(error))")
        } catch let error as YamlError {
            throw .invalidArgument("\(name): invalid YAML: \(SyncConfig.describe(error))")
        } catch {
            throw .invalidArgument("\(name): \(error)")
        }
    }

    /// Reads and parses a configuration file.
    /// - Throws: `.invalidArgument` when the file cannot be read or is not a valid configuration.
    public static func load(_ path: String) throws(SyncError) -> SyncConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .invalidArgument("cannot read the configuration file \(path)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .invalidArgument("\(path): the file is not UTF-8 text")
        }
        return try SyncConfig(yaml: text, name: path)
    }

    /// `repositories[1].tags.latest`.
    static func place(_ path: [any CodingKey]) -> String {
        var text = ""
        for key in path {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += (text.isEmpty ? "" : ".") + key.stringValue
            }
        }
        return text.isEmpty ? "the document" : text
    }

    /// `place: message`, or just the message at the top of the document.
    private static func at(_ path: [any CodingKey], _ message: String) -> String {
        path.isEmpty ? message : "\(place(path)): \(message)"
    }

    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, let context):
            return at(context.codingPath, "missing key '\(key.stringValue)'")
        case .typeMismatch(let type, let context):
            return "\(place(context.codingPath)): expected \(typeName(type))"
        case .valueNotFound(let type, let context):
            return "\(place(context.codingPath)): expected \(typeName(type)), found nothing"
        case .dataCorrupted(let context):
            if let yaml = context.underlyingError as? YamlError { return "invalid YAML: \(describe(yaml))" }
            if context.codingPath.isEmpty, context.debugDescription.contains("empty") {
                return "the document is empty"
            }
            return at(context.codingPath, context.debugDescription)
        @unknown default:
            return "\(error)"
        }
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is Bool.Type: return "true or false"
        case is Int.Type: return "a whole number"
        case is String.Type: return "a string"
        default:
            let name = String(describing: type)
            if name.contains("Array") || name.contains("Sequence") || name.hasPrefix("[") { return "a list" }
            return "a mapping of keys to values"
        }
    }

    private static func describe(_ error: YamlError) -> String {
        String(describing: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
    }
}

/// Any key, to list the keys a mapping holds.
private struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

extension Decoder {
    /// Throws `dataCorrupted` naming the first key that is not one of `Keys` (with a suggestion when it is
    /// another spelling of one).
    func rejectUnknownKeys<Keys: CodingKey & CaseIterable>(_ keys: Keys.Type) throws {
        let container = try self.container(keyedBy: AnyKey.self)
        let known = Keys.allCases.map(\.stringValue)
        for key in container.allKeys where !known.contains(key.stringValue) {
            let suggestion = known.min { distance(key.stringValue, $0) < distance(key.stringValue, $1) }
                .flatMap { distance(key.stringValue, $0) <= max(2, $0.count / 3) ? $0 : nil }
            var message = "unknown key '\(key.stringValue)'"
            if let suggestion { message += " (did you mean '\(suggestion)'?)" }
            message += "; known keys: " + known.joined(separator: ", ")
            throw DecodingError.dataCorrupted(DecodingError.Context(codingPath: codingPath, debugDescription: message))
        }
    }
}

/// The edit distance between two keys, ignoring case (to suggest the key a typo meant).
private func distance(_ a: String, _ b: String) -> Int {
    let left = Array(a.lowercased())
    let right = Array(b.lowercased())
    var previous = Array(0...right.count)
    for (i, x) in left.enumerated() {
        var current = [i + 1]
        for (j, y) in right.enumerated() {
            current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1)))
        }
        previous = current
    }
    return previous[right.count]
}

extension KeyedDecodingContainer {
    /// A list of strings, or a single string as a list of one.
    func decodeList(forKey key: Key) throws -> [String]? {
        guard contains(key) else { return nil }
        if let single = try? decode(String.self, forKey: key) { return [single] }
        return try decodeIfPresent([String].self, forKey: key)
    }
}
