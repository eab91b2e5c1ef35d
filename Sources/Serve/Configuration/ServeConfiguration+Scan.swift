// SPDX-License-Identifier: Apache-2.0
import Foundation
import Scan
import YAMLConfig
import Yams

extension ServeConfiguration {
    /// `scan: {db, onPush, workers, queue, recheck, policy: {block, allow, unknown, unscanned}, webhook}`.
    static func readScan(_ node: Node, _ reader: ConfigReader) throws(ConfigurationError) -> ScanSettings {
        let entries = try reader.mapping(
            node, "scan", allowed: ["db", "onPush", "workers", "queue", "recheck", "policy", "webhook"])
        var settings = ScanSettings(database: try reader.path(try reader.required(entries, "db", of: node, "scan"), "scan.db"))
        if let node = entries["onPush"] { settings.onPush = try reader.bool(node, "scan.onPush") }
        if let node = entries["workers"] { settings.workers = try reader.integer(node, "scan.workers", in: 1...64) }
        if let node = entries["queue"] { settings.queue = try reader.integer(node, "scan.queue", in: 1...1_000_000) }
        if let node = entries["recheck"] {
            settings.recheck = try reader.duration(node, "scan.recheck")
            guard settings.recheck > .zero else { throw reader.error(node, "'scan.recheck' must be longer than 0s") }
        }
        if let node = entries["policy"] { settings.policy = try readPolicy(node, reader) }
        if let node = entries["webhook"] {
            let hook = try reader.mapping(node, "scan.webhook", allowed: ["url", "retries", "backoff"])
            let urlNode = try reader.required(hook, "url", of: node, "scan.webhook")
            let url = try reader.string(urlNode, "scan.webhook.url")
            guard WebhookTarget(url) != nil else {
                throw reader.error(urlNode, "'scan.webhook.url' must be an http://HOST[:PORT]/PATH URL")
            }
            var webhook = ScanSettings.Webhook(url: url)
            if let node = hook["retries"] { webhook.retries = try reader.integer(node, "scan.webhook.retries", in: 0...100) }
            if let node = hook["backoff"] { webhook.backoff = try reader.duration(node, "scan.webhook.backoff") }
            settings.webhook = webhook
        }
        return settings
    }

    private static func readPolicy(_ node: Node, _ reader: ConfigReader) throws(ConfigurationError) -> PullPolicy {
        let entries = try reader.mapping(node, "scan.policy", allowed: ["block", "allow", "unknown", "unscanned"])
        var policy = PullPolicy(
            block: try severity(try reader.required(entries, "block", of: node, "scan.policy"), "scan.policy.block", reader))
        if let node = entries["unknown"] { policy.unknown = try severity(node, "scan.policy.unknown", reader) }
        if let node = entries["unscanned"] {
            guard let value = PullPolicy.Unscanned(rawValue: try reader.string(node, "scan.policy.unscanned")) else {
                throw reader.error(node, "'scan.policy.unscanned' must be allow or deny")
            }
            policy.unscanned = value
        }
        if let node = entries["allow"] {
            for (index, item) in try reader.sequence(node, "scan.policy.allow").enumerated() {
                let path = "scan.policy.allow[\(index)]"
                let fields = try reader.mapping(item, path, allowed: ["id", "repositories", "expires"])
                var entry = PullPolicy.AllowEntry(id: try reader.string(try reader.required(fields, "id", of: item, path), "\(path).id"))
                if let node = fields["repositories"] { entry.repositories = try reader.string(node, "\(path).repositories") }
                if let node = fields["expires"] {
                    let text = try reader.string(node, "\(path).expires")
                    guard let date = expiry(text) else {
                        throw reader.error(node, "'\(path).expires' must be a date (2027-01-01) or an RFC 3339 time")
                    }
                    entry.expires = date
                }
                policy.allow.append(entry)
            }
        }
        return policy
    }

    private static func severity(_ node: Node, _ path: String, _ reader: ConfigReader) throws(ConfigurationError)
        -> VulnerabilitySeverity
    {
        let text = try reader.string(node, path)
        guard let value = VulnerabilitySeverity(rawValue: text.uppercased()) else {
            throw reader.error(node, "'\(path)' must be one of UNKNOWN, NONE, LOW, MEDIUM, HIGH, CRITICAL")
        }
        return value
    }

    /// A date (`2027-01-01`, midnight UTC) or an RFC 3339 time.
    static func expiry(_ text: String) -> Date? {
        if let time = VulnerabilityDatabase.parseTimestamp(text) { return time }
        return VulnerabilityDatabase.parseTimestamp(text + "T00:00:00Z")
    }
}
