// SPDX-License-Identifier: Apache-2.0

/// Who may do what: users and their bcrypt hashes in an htpasswd file, groups, access rules, and optionally a
/// bearer token service (the Docker token spec) in front of the registry.
///
/// With no rules, every authenticated user may pull, push and delete everywhere. With rules, a user may do on a
/// repository the union of the actions of every rule that names the user (or `*`, any authenticated user, or a
/// group the user is in) and a glob matching the repository. `anonymousRead` lets clients without credentials
/// pull everything.
public struct AuthConfiguration: Sendable, Equatable {
    /// What a client may do to a repository.
    public enum Action: String, Sendable, CaseIterable, Comparable {
        /// Read manifests, blobs, tags and referrers.
        case pull
        /// Upload blobs and manifests, tag.
        case push
        /// Delete manifests, tags and blobs.
        case delete

        public static func < (lhs: Action, rhs: Action) -> Bool {
            allCases.firstIndex(of: lhs) ?? 0 < allCases.firstIndex(of: rhs) ?? 0
        }
    }

    /// One access rule: these users and groups may do these actions on repositories matching these globs.
    public struct Rule: Sendable, Equatable {
        /// User names; `*` is any authenticated user.
        public var users: [String]
        /// Group names (defined in `groups`).
        public var groups: [String]
        /// Repository globs: `*` matches within one path component, `**` across components, `?` one character.
        public var repositories: [String]
        /// What the rule allows.
        public var actions: Set<Action>

        public init(users: [String] = [], groups: [String] = [], repositories: [String], actions: Set<Action>) {
            self.users = users
            self.groups = groups
            self.repositories = repositories
            self.actions = actions
        }
    }

    /// The bearer token service at `/token`.
    public struct Token: Sendable, Equatable {
        /// The service name clients pass as `service=` and tokens carry as their audience.
        public var service: String
        /// The realm announced in challenges; nil derives `<scheme>://<Host>/token` from each request.
        public var realm: String?
        /// The HMAC-SHA256 key tokens are signed with; nil picks a random one per start (tokens then do not
        /// survive a restart).
        public var secret: String?
        /// How long a token is valid.
        public var expiry: Duration
        /// The issuer tokens carry.
        public var issuer: String

        public init(
            service: String, realm: String? = nil, secret: String? = nil, expiry: Duration = .seconds(300),
            issuer: String = "ocitool"
        ) {
            self.service = service
            self.realm = realm
            self.secret = secret
            self.expiry = expiry
            self.issuer = issuer
        }
    }

    /// The htpasswd file: `user:hash` lines, bcrypt hashes only (`htpasswd -B`). Re-read when it changes.
    public var htpasswd: String
    /// Whether clients without credentials may pull.
    public var anonymousRead: Bool
    /// Named groups of users.
    public var groups: [String: [String]]
    /// Access rules; empty lets every authenticated user do everything.
    public var rules: [Rule]
    /// The token service; nil challenges clients for Basic credentials on every request.
    public var token: Token?
    /// Failed logins allowed per client address within `failedLoginWindow` before it gets 429.
    public var failedLoginLimit: Int
    /// The window failed logins are counted in.
    public var failedLoginWindow: Duration

    public init(
        htpasswd: String, anonymousRead: Bool = false, groups: [String: [String]] = [:], rules: [Rule] = [],
        token: Token? = nil, failedLoginLimit: Int = 5, failedLoginWindow: Duration = .seconds(60)
    ) {
        self.htpasswd = htpasswd
        self.anonymousRead = anonymousRead
        self.groups = groups
        self.rules = rules
        self.token = token
        self.failedLoginLimit = failedLoginLimit
        self.failedLoginWindow = failedLoginWindow
    }
}
