// SPDX-License-Identifier: Apache-2.0
import Foundation
public import Yams

/// Strict, located reads of a YAML configuration file (`serve.yaml`, `sync.yaml`): every read names the
/// setting's path (`auth.access[0].actions`, `repositories[1].tags.latest`); unknown keys and values of the
/// wrong type are errors, each one line `FILE:LINE:COLUMN: message` at the offending node. It remembers where
/// each setting and each path read stands, for errors found later (a file that cannot be opened, a value a
/// later check refuses).
///
/// `Failure` is the caller's error type, made from that one line (`ConfigurationError.init`,
/// `SyncError.invalidArgument`).
public final class YAMLReader<Failure: Error> {
    /// The file's name, for messages.
    public let file: String
    /// The file's directory: relative paths in the file are relative to it.
    public let directory: String
    /// Each path read (resolved) → `FILE:LINE:COLUMN` of its value.
    public internal(set) var locations: [String: String] = [:]
    /// Where each setting read stands.
    public private(set) var settings = SettingLocations()
    private let makeError: (String) -> Failure

    /// - Parameters:
    ///   - file: the file's path, as messages name it.
    ///   - error: makes the caller's error from one message line.
    public init(file: String, error: @escaping (String) -> Failure) {
        self.file = file
        let parent = (file as NSString).deletingLastPathComponent
        directory = parent.isEmpty ? "." : parent
        makeError = error
    }

    /// The document's root node, nil when the document is empty.
    /// - Throws: `FILE:LINE:COLUMN: invalid YAML: …` or `… duplicate setting …`.
    public func document(_ yaml: String) throws(Failure) -> Node? {
        do {
            return try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw makeError("\(file):\(YAMLReader.describe(error))")
        } catch {
            throw makeError("\(file): \(error)")
        }
    }

    /// `FILE:LINE:COLUMN: message` at `node`, or `FILE: message` without one.
    public func error(_ node: Node?, _ message: String) -> Failure {
        guard let mark = node?.mark else { return makeError("\(file): \(message)") }
        return makeError("\(file):\(mark.line):\(mark.column): \(message)")
    }

    /// The entries of a mapping, by key, refusing keys not in `allowed` (a typo must not pass silently).
    public func mapping(_ node: Node, _ path: String, allowed: [String]) throws(Failure) -> [String: Node] {
        guard let mapping = node.mapping else { throw error(node, "'\(path)' must be a mapping") }
        record(node, path)
        var entries: [String: Node] = [:]
        for (key, value) in mapping {
            guard let name = key.scalar?.string else { throw error(key, "keys of '\(path)' must be plain names") }
            guard allowed.contains(name) else {
                throw error(key, YAMLReader.unknown(path.isEmpty ? name : path + "." + name, name, allowed))
            }
            entries[name] = value
        }
        return entries
    }

    /// The entry `key` of a mapping read with `mapping(_:_:allowed:)`.
    /// - Throws: `missing setting 'PATH.KEY'` at the mapping.
    public func required(_ entries: [String: Node], _ key: String, of node: Node, _ path: String) throws(Failure) -> Node {
        guard let value = entries[key] else {
            throw error(node, "missing setting '\(path.isEmpty ? key : path + "." + key)'")
        }
        return value
    }

    /// The items of a list.
    public func sequence(_ node: Node, _ path: String) throws(Failure) -> [Node] {
        guard let sequence = node.sequence else { throw error(node, "'\(path)' must be a list") }
        record(node, path)
        return Array(sequence)
    }

    /// Notes where the setting at `path` stands.
    func record(_ node: Node, _ path: String) {
        guard !path.isEmpty, let mark = node.mark else { return }
        settings.byPath[path] = "\(file):\(mark.line):\(mark.column)"
    }

    /// `unknown setting 'PATH' (did you mean 'KEY'?); expected one of: …`, suggesting the allowed key a typo
    /// most likely meant.
    private static func unknown(_ path: String, _ name: String, _ allowed: [String]) -> String {
        let suggestion = allowed.min { distance(name, $0) < distance(name, $1) }
            .flatMap { distance(name, $0) <= max(2, $0.count / 3) ? $0 : nil }
        return "unknown setting '\(path)'" + (suggestion.map { " (did you mean '\($0)'?)" } ?? "")
            + "; expected one of: \(allowed.joined(separator: ", "))"
    }

    /// The edit distance between two keys, ignoring case.
    private static func distance(_ a: String, _ b: String) -> Int {
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

    /// `LINE:COLUMN: message`, or ` message` when the error has no position (to follow `FILE:`).
    private static func describe(_ error: YamlError) -> String {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
            .composer(_, let problem, let mark, _):
            return "\(mark.line):\(mark.column): invalid YAML: \(problem)"
        case .duplicatedKeysInMapping(let duplicates, let context):
            return
                "\(context.mark.line):\(context.mark.column): duplicate setting \(duplicates.joined(separator: ", "))"
        default:
            return " invalid YAML: \(error)"
        }
    }
}
