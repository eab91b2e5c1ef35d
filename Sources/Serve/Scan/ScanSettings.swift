// SPDX-License-Identifier: Apache-2.0
public import Foundation
public import Scan

/// The `scan:` section of serve.yaml: vulnerability scanning of pushed images against an offline database
/// (`ocitool db import`), the pull policy that blocks vulnerable images, and the webhook told of new findings.
public struct ScanSettings: Sendable {
    /// The vulnerability database file.
    public var database: String
    /// Scan every image manifest and index when it is pushed.
    public var onPush = true
    /// Scans run at once (each on its own thread).
    public var workers = 1
    /// Most scans waiting; past it a push's scan is dropped (counted in `/metrics`) and the image is scanned by
    /// the next database change or a `POST …/scan`.
    public var queue = 100
    /// How often the database file is checked for a change (a change rescans every image in the store).
    public var recheck: Duration = .seconds(60)
    /// Blocks pulls of vulnerable images; nil blocks nothing.
    public var policy: PullPolicy?
    /// Told when a scan finds something new; nil for none.
    public var webhook: Webhook?

    public init(database: String) {
        self.database = database
    }

    /// Where scan results are POSTed when a scan finds vulnerability ids the previous scan of that manifest did
    /// not have. Plain `http://` only.
    public struct Webhook: Sendable {
        public var url: String
        /// Attempts after the first one fails (with a doubling delay from `backoff`).
        public var retries = 3
        public var backoff: Duration = .milliseconds(500)

        public init(url: String) {
            self.url = url
        }
    }
}

/// Which images a manifest GET or HEAD refuses (403 DENIED): those with a remaining finding at or above
/// `block`, once the allowlist has removed what it excuses.
public struct PullPolicy: Sendable {
    /// The name messages give the policy (`scan.policy` in serve.yaml).
    public var name = "scan.policy"
    /// The lowest severity that blocks.
    public var block: VulnerabilitySeverity
    /// Findings excused, by id, repository glob and expiry.
    public var allow: [AllowEntry] = []
    /// The severity an UNKNOWN finding counts as; nil keeps it UNKNOWN (which blocks only when `block` is UNKNOWN).
    public var unknown: VulnerabilitySeverity?
    /// Whether an image not scanned yet (pending, scanning, failed or dropped) may be pulled.
    public var unscanned: Unscanned = .allow

    public enum Unscanned: String, Sendable { case allow, deny }

    public init(block: VulnerabilitySeverity) {
        self.block = block
    }

    /// One excused vulnerability: `id` matches a finding's id or any of its aliases (a CVE id excuses the DSA
    /// that names it); `repositories` is a shell glob (fnmatch(3), `*` crossing `/`); from `expires` on the
    /// entry excuses nothing.
    public struct AllowEntry: Sendable {
        public var id: String
        public var repositories: String
        public var expires: Date?

        public init(id: String, repositories: String = "*", expires: Date? = nil) {
            self.id = id
            self.repositories = repositories
            self.expires = expires
        }
    }
}
