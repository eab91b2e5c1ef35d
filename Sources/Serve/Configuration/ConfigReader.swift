// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
import Yams

/// Typed reads of a YAML node tree, each failing with `FILE:LINE:COLUMN: message` where the offending node is.
/// It remembers where each path it read stands, for errors found later, when the files are opened.
final class ConfigReader {
    /// The file's name, for messages.
    let file: String
    /// The file's directory: relative paths in the file are relative to it.
    let directory: String
    /// Each path read (resolved) → `FILE:LINE:COLUMN` of its value.
    private(set) var locations: [String: String] = [:]

    init(file: String) {
        self.file = file
        let parent = (file as NSString).deletingLastPathComponent
        directory = parent.isEmpty ? "." : parent
    }

    func error(_ node: Node?, _ message: String) -> ConfigurationError {
        guard let mark = node?.mark else { return ConfigurationError("\(file): \(message)") }
        return ConfigurationError("\(file):\(mark.line):\(mark.column): \(message)")
    }

    /// The entries of a mapping, by key, refusing keys not in `allowed` (a typo must not pass silently).
    func mapping(_ node: Node, _ path: String, allowed: [String]) throws(ConfigurationError) -> [String: Node] {
        guard let mapping = node.mapping else { throw error(node, "'\(path)' must be a mapping") }
        var entries: [String: Node] = [:]
        for (key, value) in mapping {
            guard let name = key.scalar?.string else { throw error(key, "keys of '\(path)' must be plain names") }
            let qualified = path.isEmpty ? name : path + "." + name
            guard allowed.contains(name) else {
                throw error(key, "unknown setting '\(qualified)' (expected one of: \(allowed.joined(separator: ", ")))")
            }
            entries[name] = value
        }
        return entries
    }

    func string(_ node: Node, _ path: String) throws(ConfigurationError) -> String {
        guard let scalar = node.scalar,
            scalar.style != .plain || !["", "~", "null", "Null", "NULL"].contains(scalar.string)
        else {
            throw error(node, "'\(path)' must be a string")
        }
        return scalar.string
    }

    /// A path, resolved against the file's directory when relative.
    func path(_ node: Node, _ path: String) throws(ConfigurationError) -> String {
        let value = try string(node, path)
        guard !value.isEmpty else { throw error(node, "'\(path)' must not be empty") }
        let resolved = value.hasPrefix("/") ? value : directory + "/" + value
        locations[resolved] = "\(file):\(node.mark.map { "\($0.line):\($0.column)" } ?? "")"
        return resolved
    }

    func bool(_ node: Node, _ path: String) throws(ConfigurationError) -> Bool {
        switch node.scalar?.string.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw error(node, "'\(path)' must be true or false")
        }
    }

    func integer(_ node: Node, _ path: String, in range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
        guard let value = node.scalar.flatMap({ Int($0.string) }), range.contains(value) else {
            throw error(node, "'\(path)' must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    func number(_ node: Node, _ path: String) throws(ConfigurationError) -> Double {
        guard let value = node.scalar.flatMap({ Double($0.string) }), value.isFinite, value > 0 else {
            throw error(node, "'\(path)' must be a number greater than 0")
        }
        return value
    }

    func duration(_ node: Node, _ path: String) throws(ConfigurationError) -> Duration {
        guard let text = node.scalar?.string, let value = DurationText.parse(text) else {
            throw error(node, "'\(path)' must be a duration such as 90s, 30m, 1h, 2d or 1h30m")
        }
        return value
    }

    /// A list of strings; a single string is a list of one.
    func strings(_ node: Node, _ path: String) throws(ConfigurationError) -> [String] {
        if let scalar = node.scalar { return [scalar.string] }
        guard let sequence = node.sequence else { throw error(node, "'\(path)' must be a list of strings") }
        var values: [String] = []
        for item in sequence {
            guard let scalar = item.scalar else { throw error(item, "'\(path)' must be a list of strings") }
            values.append(scalar.string)
        }
        return values
    }
}
