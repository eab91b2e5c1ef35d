// SPDX-License-Identifier: Apache-2.0
public import YAMLConfig

/// What `ocitool sync --config FILE` mirrors: repositories of a source (a registry, or a store of layouts) into
/// a destination, with per-repository tag filters. Read from YAML (or JSON, which is YAML):
///
/// ```yaml
/// source:
///   registry: registry.example.com:5000
///   credentials: reader:secret        # or authfile: ~/.docker/config.json, or noCreds: true
/// destination:
///   registry: 127.0.0.1:5000
///   plainHTTP: true
/// repositories:
///   - name: team/app
///     destination: mirror/{name}      # default: the same name
///     tags:
///       allow: ['^v?\d+\.\d+\.\d+$']
///       deny: ['-rc']
///       semver: '>=1.2 <2'
///       latest: 3
///     platforms: [linux/amd64, linux/arm64]
///     referrers: true
///     artifactTypes: [application/spdx+json]
///   - name: tools/cli
///     all: true
/// ```
///
/// A `layout:` endpoint is a store root: repository `team/app` is the layout `ROOT/team/app` (what
/// `ocitool serve --root ROOT` serves). Unknown keys are errors (at FILE:LINE:COLUMN, as in `serve.yaml`), so a
/// misspelt filter never widens a sync.
public struct SyncConfig: Sendable, Hashable {
    /// Where repositories are read.
    public var source: Endpoint
    /// Where they are written.
    public var destination: Endpoint
    /// What to mirror (at least one).
    public var repositories: [Repository]
    /// Where each setting stands in the file read (empty for a configuration made in code), so that `jobs`
    /// locates what it refuses at `FILE:LINE:COLUMN`.
    public var locations = SettingLocations()

    public init(source: Endpoint, destination: Endpoint, repositories: [Repository]) {
        self.source = source
        self.destination = destination
        self.repositories = repositories
    }

    /// A registry (`registry: HOST[:PORT]`) or a store of layouts (`layout: DIR`), and how to reach it.
    public struct Endpoint: Sendable, Hashable {
        /// `HOST[:PORT]` of a registry.
        public var registry: String?
        /// The root directory of a store of layouts.
        public var layout: String?
        /// Talk plain HTTP (default: the command line's `--plain-http`).
        public var plainHTTP: Bool?
        /// Verify the TLS certificate (default: the command line's `--tls-verify`).
        public var tlsVerify: Bool?
        /// A directory of CA certificates to trust.
        public var certDir: String?
        /// `USER:PASSWORD` (default: the auth file's entry for the host).
        public var credentials: String?
        /// An auth file to read instead of the default ones.
        public var authfile: String?
        /// Access the registry anonymously, ignoring the auth files (default: the command line's `--no-creds`).
        public var noCreds: Bool?

        public init(
            registry: String? = nil, layout: String? = nil, plainHTTP: Bool? = nil, tlsVerify: Bool? = nil,
            certDir: String? = nil, credentials: String? = nil, authfile: String? = nil, noCreds: Bool? = nil
        ) {
            self.registry = registry
            self.layout = layout
            self.plainHTTP = plainHTTP
            self.tlsVerify = tlsVerify
            self.certDir = certDir
            self.credentials = credentials
            self.authfile = authfile
            self.noCreds = noCreds
        }
    }

    /// One repository to mirror.
    public struct Repository: Sendable, Hashable {
        /// The repository at the source.
        public var name: String
        /// The repository at the destination; `{name}` stands for `name` (default: `name`).
        public var destination: String?
        /// Which tags (default: all).
        public var tags: Tags?
        /// Only these platforms of an index (`os/arch[/variant]`), as a new index.
        public var platforms: [String]?
        /// Every platform of an index (default: the host's platform only, as `ocitool copy`).
        public var all: Bool?
        /// Copy referrers (default true).
        public var referrers: Bool?
        /// Only referrers of these artifact types (default: all).
        public var artifactTypes: [String]?

        public init(
            name: String, destination: String? = nil, tags: Tags? = nil, platforms: [String]? = nil, all: Bool? = nil,
            referrers: Bool? = nil, artifactTypes: [String]? = nil
        ) {
            self.name = name
            self.destination = destination
            self.tags = tags
            self.platforms = platforms
            self.all = all
            self.referrers = referrers
            self.artifactTypes = artifactTypes
        }
    }

    /// A repository's tag filter (see `TagFilter`); a single expression may be written without a list.
    public struct Tags: Sendable, Hashable {
        public var allow: [String]?
        public var deny: [String]?
        public var semver: String?
        public var latest: Int?

        public init(allow: [String]? = nil, deny: [String]? = nil, semver: String? = nil, latest: Int? = nil) {
            self.allow = allow
            self.deny = deny
            self.semver = semver
            self.latest = latest
        }
    }
}
