// SPDX-License-Identifier: Apache-2.0
import Layout
import Logging
import Scan

extension ServeConfiguration {
    /// The effective configuration as a configuration file (`ocitool serve --check-config` prints it): every
    /// setting, defaults included; the token secret is never shown. Reading it back gives the same
    /// configuration (but for the secret).
    public var effectiveYAML: String {
        var lines = [
            "root: \(Self.quote(root))",
            "host: \(Self.quote(host))",
            "port: \(port)",
            "uploadExpiry: \(DurationText.format(uploadExpiry))",
            "maxUploads: \(maxUploads)",
            "maxUploadsPerRepository: \(maxUploadsPerRepository)",
            "idleTimeout: \(DurationText.format(idleTimeout))",
            "deletes: \(deleteEnabled)",
            "readOnly: \(readOnly)",
            "insecureHTTP: \(insecureHTTP)",
            "maxManifestSize: \(maxManifestSize)",
            "maxPageSize: \(maxPageSize)",
            "log:",
            "  level: \(logLevel.rawValue)",
            "  format: \(logFormat.rawValue)",
            "  access: \(accessLog)",
        ]
        if let tls {
            lines += ["tls:", "  certificate: \(Self.quote(tls.certificate))", "  key: \(Self.quote(tls.key))"]
            if let clientCA = tls.clientCA { lines.append("  clientCA: \(Self.quote(clientCA))") }
        } else {
            lines.append("# tls: none (plain HTTP)")
        }
        if let auth {
            lines += authLines(auth)
        } else {
            lines.append("# auth: none (anyone may pull, push and delete)")
        }
        if trust.isEmpty {
            lines.append("# trust: none (every manifest is served)")
        } else {
            lines.append("trust:")
            for rule in trust {
                lines.append("  - repositories: [\(rule.repositories.map(Self.quote).joined(separator: ", "))]")
                lines.append("    keys: [\(rule.keys.map(Self.quote).joined(separator: ", "))]")
                lines.append("    identity: \(rule.identity.rawValue)")
            }
        }
        if let rateLimit {
            lines += [
                "rateLimit:", "  requestsPerSecond: \(rateLimit.requestsPerSecond)", "  burst: \(rateLimit.burst)",
            ]
        } else {
            lines.append("# rateLimit: none")
        }
        if let gc {
            lines += [
                "gc:", "  interval: \(DurationText.format(gc.interval))", "  grace: \(DurationText.format(gc.grace))",
                "  untagged: \(gc.untagged)",
            ]
        } else {
            lines.append("# gc: none (run 'ocitool gc' yourself)")
        }
        lines += [
            "metrics:", "  enabled: \(metrics.enabled)",
            "  storeSizeInterval: \(DurationText.format(metrics.storeSizeInterval))",
        ]
        if let scan { lines += scanLines(scan) } else { lines.append("# scan: none") }
        lines += storageLines()
        return lines.joined(separator: "\n") + "\n"
    }

    private func scanLines(_ scan: ScanSettings) -> [String] {
        var lines = [
            "scan:", "  db: \(Self.quote(scan.database))", "  onPush: \(scan.onPush)", "  workers: \(scan.workers)",
            "  queue: \(scan.queue)", "  recheck: \(DurationText.format(scan.recheck))",
        ]
        if let policy = scan.policy {
            lines += ["  policy:", "    block: \(policy.block.rawValue)", "    unscanned: \(policy.unscanned.rawValue)"]
            if let unknown = policy.unknown { lines.append("    unknown: \(unknown.rawValue)") }
            if !policy.allow.isEmpty {
                lines.append("    allow:")
                for entry in policy.allow {
                    lines += ["      - id: \(Self.quote(entry.id))", "        repositories: \(Self.quote(entry.repositories))"]
                    if let expires = entry.expires {
                        lines.append("        expires: \(Self.quote(VulnerabilityDatabase.timestamp(expires)))")
                    }
                }
            }
        } else {
            lines.append("  # policy: none (scans never block pulls)")
        }
        if let webhook = scan.webhook {
            lines += [
                "  webhook:", "    url: \(Self.quote(webhook.url))", "    retries: \(webhook.retries)",
                "    backoff: \(DurationText.format(webhook.backoff))",
            ]
        }
        return lines
    }

    private func authLines(_ auth: AuthConfiguration) -> [String] {
        var lines = ["auth:", "  htpasswd: \(Self.quote(auth.htpasswd))", "  anonymousRead: \(auth.anonymousRead)"]
        if !auth.groups.isEmpty {
            lines.append("  groups:")
            for name in auth.groups.keys.sorted() {
                lines.append("    \(Self.quote(name)): \(Self.list(auth.groups[name] ?? []))")
            }
        }
        if !auth.rules.isEmpty {
            lines.append("  access:")
            for rule in auth.rules {
                var first = true
                func add(_ key: String, _ value: String) {
                    lines.append((first ? "    - " : "      ") + key + ": " + value)
                    first = false
                }
                if !rule.users.isEmpty { add("users", Self.list(rule.users)) }
                if !rule.groups.isEmpty { add("groups", Self.list(rule.groups)) }
                add("repositories", Self.list(rule.repositories))
                add("actions", Self.list(rule.actions.sorted().map(\.rawValue)))
            }
        } else {
            lines.append("  # access: none (every authenticated user may pull, push and delete everywhere)")
        }
        if let token = auth.token {
            lines += [
                "  token:", "    service: \(Self.quote(token.service))",
                "    expiry: \(DurationText.format(token.expiry))", "    issuer: \(Self.quote(token.issuer))",
            ]
            if let realm = token.realm { lines.append("    realm: \(Self.quote(realm))") }
            lines.append(token.secret == nil ? "    # secret: random per start" : "    # secret: set (not shown)")
        }
        lines += [
            "  failedLogins:", "    max: \(auth.failedLoginLimit)",
            "    window: \(DurationText.format(auth.failedLoginWindow))",
        ]
        return lines
    }

    /// A YAML double-quoted scalar (JSON escaping is valid YAML).
    static func quote(_ text: String) -> String { JSONLogHandler.quote(text) }

    private static func list(_ items: [String]) -> String { "[" + items.map(quote).joined(separator: ", ") + "]" }
}
