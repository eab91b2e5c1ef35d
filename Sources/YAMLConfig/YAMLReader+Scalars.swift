// SPDX-License-Identifier: Apache-2.0
import Layout
public import Yams

/// Scalar values and lists of them, each recorded where it stands.
extension YAMLReader {
    public func string(_ node: Node, _ path: String) throws(Failure) -> String {
        guard let scalar = node.scalar,
            scalar.style != .plain || !["", "~", "null", "Null", "NULL"].contains(scalar.string)
        else {
            throw error(node, "'\(path)' must be a string")
        }
        record(node, path)
        return scalar.string
    }

    /// A path, resolved against the file's directory when relative.
    public func path(_ node: Node, _ path: String) throws(Failure) -> String {
        let value = try string(node, path)
        guard !value.isEmpty else { throw error(node, "'\(path)' must not be empty") }
        let resolved = value.hasPrefix("/") ? value : directory + "/" + value
        locations[resolved] = settings.byPath[path]
        return resolved
    }

    public func bool(_ node: Node, _ path: String) throws(Failure) -> Bool {
        let value: Bool
        switch node.scalar?.string.lowercased() {
        case "true", "yes", "on": value = true
        case "false", "no", "off": value = false
        default: throw error(node, "'\(path)' must be true or false")
        }
        record(node, path)
        return value
    }

    /// A whole number, in `range` when one is given.
    public func integer(_ node: Node, _ path: String, in range: ClosedRange<Int>? = nil) throws(Failure) -> Int {
        guard let value = node.scalar.flatMap({ Int($0.string) }), range?.contains(value) ?? true else {
            let bounds = range.map { " from \($0.lowerBound) to \($0.upperBound)" } ?? ""
            throw error(node, "'\(path)' must be a whole number\(bounds)")
        }
        record(node, path)
        return value
    }

    public func number(_ node: Node, _ path: String) throws(Failure) -> Double {
        guard let value = node.scalar.flatMap({ Double($0.string) }), value.isFinite, value > 0 else {
            throw error(node, "'\(path)' must be a number greater than 0")
        }
        record(node, path)
        return value
    }

    public func duration(_ node: Node, _ path: String) throws(Failure) -> Duration {
        guard let text = node.scalar?.string, let value = DurationText.parse(text) else {
            throw error(node, "'\(path)' must be a duration such as 90s, 30m, 1h, 2d or 1h30m")
        }
        record(node, path)
        return value
    }

    /// A list of strings; a single string is a list of one. Each item is recorded as `PATH[INDEX]`.
    public func strings(_ node: Node, _ path: String) throws(Failure) -> [String] {
        if let scalar = node.scalar {
            record(node, path)
            return [scalar.string]
        }
        guard let sequence = node.sequence else { throw error(node, "'\(path)' must be a list of strings") }
        record(node, path)
        var values: [String] = []
        for (index, item) in sequence.enumerated() {
            guard let scalar = item.scalar else { throw error(item, "'\(path)' must be a list of strings") }
            record(item, "\(path)[\(index)]")
            values.append(scalar.string)
        }
        return values
    }
}
