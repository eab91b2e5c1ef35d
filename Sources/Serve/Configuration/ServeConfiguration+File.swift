// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
import Logging
import YAMLConfig
import Yams

/// The YAML configuration file of `ocitool serve --config FILE`: every flag has a setting (flags given on the
/// command line override the file). Unknown settings are errors, reported with their line and column; relative
/// paths are relative to the file's directory. See the README for an example.
extension ServeConfiguration {
    /// Reads a configuration file over `base` (settings the file leaves out keep `base`'s values).
    /// - Throws: `ConfigurationError` `FILE:LINE:COLUMN: message` for the first problem.
    public static func load(
        file: String, over base: ServeConfiguration = ServeConfiguration(root: "")
    )
        throws(ConfigurationError) -> ServeConfiguration
    {
        let data: Data
        do {
            data = try FileSystem.readFile(file, limit: 1 << 20)
        } catch {
            throw ConfigurationError("\(file): cannot read the configuration file: \(error)")
        }
        return try parse(yaml: String(decoding: data, as: UTF8.self), file: file, over: base)
    }

    /// Parses configuration text (see `load(file:over:)`).
    public static func parse(
        yaml: String, file: String, over base: ServeConfiguration = ServeConfiguration(root: "")
    )
        throws(ConfigurationError) -> ServeConfiguration
    {
        let reader = ConfigReader(file: file, error: ConfigurationError.init)
        var configuration = base
        guard let root = try reader.document(yaml) else { return configuration }
        let top = try reader.mapping(
            root, "",
            allowed: [
                "root", "host", "port", "uploadExpiry", "maxUploads", "maxUploadsPerRepository", "idleTimeout",
                "deletes", "readOnly", "insecureHTTP", "maxManifestSize", "maxPageSize", "log", "tls", "auth",
                "rateLimit", "gc", "metrics", "trust", "scan", "storage",
            ])
        for (key, node) in top {
            switch key {
            case "root": configuration.root = try reader.path(node, key)
            case "host": configuration.host = try reader.string(node, key)
            case "port": configuration.port = try reader.integer(node, key, in: 0...65535)
            case "uploadExpiry": configuration.uploadExpiry = try reader.duration(node, key)
            case "maxUploads": configuration.maxUploads = try reader.integer(node, key, in: 1...10_000_000)
            case "maxUploadsPerRepository":
                configuration.maxUploadsPerRepository = try reader.integer(node, key, in: 1...10_000_000)
            case "idleTimeout": configuration.idleTimeout = try reader.duration(node, key)
            case "deletes": configuration.deleteEnabled = try reader.bool(node, key)
            case "readOnly": configuration.readOnly = try reader.bool(node, key)
            case "insecureHTTP": configuration.insecureHTTP = try reader.bool(node, key)
            case "maxManifestSize": configuration.maxManifestSize = try reader.integer(node, key, in: 1...(4 << 20))
            case "maxPageSize": configuration.maxPageSize = try reader.integer(node, key, in: 1...100_000)
            case "log": try configuration.readLog(node, reader)
            case "tls": configuration.tls = try readTLS(node, reader)
            case "auth": configuration.auth = try readAuth(node, reader)
            case "trust": configuration.trust = try readTrust(node, reader)
            case "rateLimit":
                let entries = try reader.mapping(node, key, allowed: ["requestsPerSecond", "burst"])
                guard let rate = entries["requestsPerSecond"] else {
                    throw reader.error(node, "'rateLimit' needs 'requestsPerSecond'")
                }
                configuration.rateLimit = RateLimit(
                    requestsPerSecond: try reader.number(rate, "rateLimit.requestsPerSecond"),
                    burst: try entries["burst"].map { (node) throws(ConfigurationError) in
                        try reader.integer(node, "rateLimit.burst", in: 1...1_000_000)
                    })
            case "gc":
                let entries = try reader.mapping(node, key, allowed: ["interval", "grace", "untagged"])
                var gc = OnlineGC()
                if let node = entries["interval"] { gc.interval = try reader.duration(node, "gc.interval") }
                if let node = entries["grace"] { gc.grace = try reader.duration(node, "gc.grace") }
                if let node = entries["untagged"] { gc.untagged = try reader.bool(node, "gc.untagged") }
                configuration.gc = gc
            case "metrics":
                let entries = try reader.mapping(node, key, allowed: ["enabled", "storeSizeInterval"])
                if let node = entries["enabled"] {
                    configuration.metrics.enabled = try reader.bool(node, "metrics.enabled")
                }
                if let node = entries["storeSizeInterval"] {
                    configuration.metrics.storeSizeInterval = try reader.duration(node, "metrics.storeSizeInterval")
                }
            case "scan": configuration.scan = try readScan(node, reader)
            case "storage": configuration.storage = try readStorage(node, reader)
            default:
                break
            }
        }
        configuration.fileLocations.merge(reader.locations) { $1 }
        return configuration
    }

    private mutating func readLog(_ node: Node, _ reader: ConfigReader) throws(ConfigurationError) {
        let entries = try reader.mapping(node, "log", allowed: ["level", "format", "access"])
        if let node = entries["level"] {
            let text = try reader.string(node, "log.level")
            guard let level = Logger.Level(rawValue: text) else {
                throw reader.error(
                    node, "'log.level' must be one of: \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))"
                )
            }
            logLevel = level
        }
        if let node = entries["format"] {
            guard let format = LogFormat(rawValue: try reader.string(node, "log.format")) else {
                throw reader.error(node, "'log.format' must be text or json")
            }
            logFormat = format
        }
        if let node = entries["access"] { accessLog = try reader.bool(node, "log.access") }
    }

    private static func readTLS(_ node: Node, _ reader: ConfigReader) throws(ConfigurationError) -> TLS {
        let entries = try reader.mapping(node, "tls", allowed: ["certificate", "key", "clientCA"])
        guard let certificate = entries["certificate"], let key = entries["key"] else {
            throw reader.error(node, "'tls' needs both 'certificate' and 'key'")
        }
        return TLS(
            certificate: try reader.path(certificate, "tls.certificate"), key: try reader.path(key, "tls.key"),
            clientCA: try entries["clientCA"].map { (node) throws(ConfigurationError) in
                try reader.path(node, "tls.clientCA")
            })
    }
}
