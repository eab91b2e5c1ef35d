// SPDX-License-Identifier: Apache-2.0
import Layout
import Scan

extension ServeConfiguration {
    /// Checks that the configuration can be served, loading the files it names (htpasswd, certificates).
    ///
    /// Plain HTTP is served only on a loopback address (`127.0.0.0/8`, `::1`, `localhost`) unless
    /// `insecureHTTP` says otherwise: credentials and pushes would cross the network in clear text.
    /// - Throws: `ConfigurationError` naming the setting (and its flag) that is wrong.
    public func validate() throws(ConfigurationError) {
        guard !root.isEmpty else {
            throw ConfigurationError("root: no store root: set 'root' in the configuration file or pass --root")
        }
        try validateStorage()
        guard (0...65535).contains(port) else { throw ConfigurationError("port (--port): \(port) is not a port") }
        guard !host.isEmpty else { throw ConfigurationError("host (--host): empty address") }
        guard uploadExpiry > .zero else {
            throw ConfigurationError("uploadExpiry (--upload-expiry): must be longer than 0s")
        }
        guard maxUploads >= 1 else { throw ConfigurationError("maxUploads (--max-uploads): must be at least 1") }
        guard maxUploadsPerRepository >= 1 else {
            throw ConfigurationError("maxUploadsPerRepository (--max-uploads-per-repository): must be at least 1")
        }
        guard idleTimeout >= .zero else {
            throw ConfigurationError("idleTimeout (--idle-timeout): must not be negative (0s: never)")
        }
        if tls == nil, !insecureHTTP, !LoopbackAddress.contains(host) {
            throw ConfigurationError(
                "host (--host): \(host) is not a loopback address, and serving plain HTTP there sends credentials "
                    + "and images in clear text: give a certificate (--tls-cert/--tls-key, tls:) or pass "
                    + "--insecure-http (insecureHTTP: true)")
        }
        do {
            _ = try makeTLSConfiguration()
            if let auth { try ServeConfiguration.validate(auth) }
            if !trust.isEmpty { _ = try TrustPolicy(trust) }
        } catch {
            throw located(error)
        }
        if let rateLimit {
            guard rateLimit.requestsPerSecond > 0, rateLimit.requestsPerSecond.isFinite else {
                throw ConfigurationError("rateLimit.requestsPerSecond (--rate-limit): must be greater than 0")
            }
            guard rateLimit.burst >= 1 else {
                throw ConfigurationError("rateLimit.burst (--rate-burst): must be at least 1")
            }
        }
        if let gc {
            guard gc.interval > .zero else {
                throw ConfigurationError("gc.interval (--gc-interval): must be longer than 0s")
            }
            guard gc.grace >= .zero else { throw ConfigurationError("gc.grace (--gc-grace): must not be negative") }
        }
        guard metrics.storeSizeInterval > .zero else {
            throw ConfigurationError("metrics.storeSizeInterval: must be longer than 0s")
        }
        if let scan {
            // Opened once here so a wrong path or a file that is no database fails at start, not in every scan.
            do { _ = try VulnerabilityDatabase.open(at: scan.database) } catch {
                throw located(ConfigurationError("scan.db: \(scan.database): \(error)"))
            }
            guard scan.workers >= 1, scan.queue >= 1 else {
                throw ConfigurationError("scan.workers and scan.queue: must be at least 1")
            }
            if let webhook = scan.webhook, WebhookTarget(webhook.url) == nil {
                throw ConfigurationError("scan.webhook.url: \(webhook.url) is not an http://HOST[:PORT]/PATH URL")
            }
        }
    }

    /// A file error at the place the configuration file names the file (`FILE:LINE:COLUMN: message`); as it is
    /// when a flag named the file.
    private func located(_ error: ConfigurationError) -> ConfigurationError {
        let named = fileLocations.filter { error.message.contains($0.key) }.max { $0.key.count < $1.key.count }
        guard let location = named?.value else { return error }
        return ConfigurationError("\(location): \(error.message)")
    }

    private static func validate(_ auth: AuthConfiguration) throws(ConfigurationError) {
        _ = try Htpasswd(path: auth.htpasswd)
        for (index, rule) in auth.rules.enumerated() {
            let path = "auth.access[\(index)]"
            guard !rule.users.isEmpty || !rule.groups.isEmpty else {
                throw ConfigurationError("\(path): names no users and no groups")
            }
            if let unknown = rule.groups.first(where: { auth.groups[$0] == nil }) {
                throw ConfigurationError("\(path).groups: group '\(unknown)' is not defined in auth.groups")
            }
            guard !rule.repositories.isEmpty else { throw ConfigurationError("\(path).repositories: empty") }
            guard !rule.actions.isEmpty else { throw ConfigurationError("\(path).actions: empty") }
        }
        if let token = auth.token {
            guard !token.service.isEmpty else {
                throw ConfigurationError("auth.token.service (--token-service): empty")
            }
            guard token.expiry > .zero else { throw ConfigurationError("auth.token.expiry: must be longer than 0s") }
            if let secret = token.secret, secret.utf8.count < 16 {
                throw ConfigurationError(
                    "auth.token.secret: too short (at least 16 characters; 32 random ones are best)")
            }
        }
        guard auth.failedLoginLimit >= 1 else { throw ConfigurationError("auth.failedLogins.max: must be at least 1") }
        guard auth.failedLoginWindow > .zero else {
            throw ConfigurationError("auth.failedLogins.window: must be longer than 0s")
        }
    }
}
