// SPDX-License-Identifier: Apache-2.0
import Foundation
import YAMLConfig
import Yams

/// Reading `sync.yaml` the way `serve.yaml` is read (`YAMLReader`): unknown keys and values of the wrong type are
/// errors, each `FILE:LINE:COLUMN: message` at the offending node.
extension SyncConfig {
    /// Parses a configuration from YAML (JSON is YAML too).
    /// - Parameter name: what error messages call the text (the file's path).
    /// - Throws: `.invalidArgument("NAME:LINE:COLUMN: PROBLEM")`: YAML syntax, a missing or unknown key, a value of
    ///   the wrong type, with the setting's path (`'repositories[1].tags.latest' must be a whole number`).
    public init(yaml text: String, name: String = "the configuration") throws(SyncError) {
        let reader = YAMLReader<SyncError>(file: name, error: SyncError.invalidArgument)
        guard let root = try reader.document(text) else { throw reader.error(nil, "the document is empty") }
        let top = try reader.mapping(root, "", allowed: ["source", "destination", "repositories"])
        source = try Endpoint(try reader.required(top, "source", of: root, ""), "source", reader)
        destination = try Endpoint(try reader.required(top, "destination", of: root, ""), "destination", reader)
        repositories = []
        for (index, node) in try reader.sequence(try reader.required(top, "repositories", of: root, ""), "repositories")
            .enumerated()
        {
            repositories.append(try Repository(node, "repositories[\(index)]", reader))
        }
        locations = reader.settings
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
}

extension SyncConfig.Endpoint {
    init(_ node: Node, _ path: String, _ reader: YAMLReader<SyncError>) throws(SyncError) {
        let entries = try reader.mapping(
            node, path,
            allowed: ["registry", "layout", "plainHTTP", "tlsVerify", "certDir", "credentials", "authfile", "noCreds"])
        self.init()
        for (key, node) in entries {
            let place = path + "." + key
            switch key {
            case "registry": registry = try reader.string(node, place)
            case "layout": layout = try reader.string(node, place)
            case "plainHTTP": plainHTTP = try reader.bool(node, place)
            case "tlsVerify": tlsVerify = try reader.bool(node, place)
            case "certDir": certDir = try reader.string(node, place)
            case "credentials": credentials = try reader.string(node, place)
            case "authfile": authfile = try reader.string(node, place)
            default: noCreds = try reader.bool(node, place)
            }
        }
    }
}

extension SyncConfig.Repository {
    init(_ node: Node, _ path: String, _ reader: YAMLReader<SyncError>) throws(SyncError) {
        let entries = try reader.mapping(
            node, path, allowed: ["name", "destination", "tags", "platforms", "all", "referrers", "artifactTypes"])
        self.init(name: try reader.string(try reader.required(entries, "name", of: node, path), path + ".name"))
        for (key, node) in entries {
            let place = path + "." + key
            switch key {
            case "name": break
            case "destination": destination = try reader.string(node, place)
            case "tags": tags = try SyncConfig.Tags(node, place, reader)
            case "platforms": platforms = try reader.strings(node, place)
            case "all": all = try reader.bool(node, place)
            case "referrers": referrers = try reader.bool(node, place)
            default: artifactTypes = try reader.strings(node, place)
            }
        }
    }
}

extension SyncConfig.Tags {
    init(_ node: Node, _ path: String, _ reader: YAMLReader<SyncError>) throws(SyncError) {
        let entries = try reader.mapping(node, path, allowed: ["allow", "deny", "semver", "latest"])
        self.init()
        for (key, node) in entries {
            let place = path + "." + key
            switch key {
            case "allow": allow = try reader.strings(node, place)
            case "deny": deny = try reader.strings(node, place)
            case "semver": semver = try reader.string(node, place)
            default: latest = try reader.integer(node, place)
            }
        }
    }
}
