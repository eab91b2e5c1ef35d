// SPDX-License-Identifier: Apache-2.0

/// Where an image lives, in skopeo's transport grammar.
///
/// - `PATH[:TAG|@DIGEST]` or `oci:PATH[:TAG|@DIGEST]`: an OCI image layout. The tag is the text after the last
///   `:` when that text contains no `/`.
/// - `oci-archive:FILE[:TAG]`: a tarball of an OCI layout, optionally gzip or zstd compressed.
/// - `docker-archive:FILE[:NAME:TAG]`: a `docker save` tarball.
/// - `docker://HOST[:PORT]/REPO[:TAG|@DIGEST]`: a registry.
/// - `s3://BUCKET[/PREFIX]/REPO[:TAG|@DIGEST]`: a repository of a store in an S3-compatible bucket (where the
///   prefix ends and the repository begins is found in the bucket when it is opened).
public enum ImageReference: Sendable, Hashable, CustomStringConvertible {
    case layout(path: String, selector: Selector?)
    case ociArchive(path: String, tag: String?)
    case dockerArchive(path: String, name: DockerName?)
    case registry(host: String, repository: String, selector: Selector?)
    case objectStore(url: String, selector: Selector?)

    /// The tag the reference names, if any (a docker archive's NAME:TAG gives its tag).
    public var tag: String? {
        switch self {
        case .layout(_, .tag(let tag)), .registry(_, _, .tag(let tag)), .ociArchive(_, .some(let tag)),
            .objectStore(_, .tag(let tag)):
            tag
        case .dockerArchive(_, .some(let name)): name.tag
        default: nil
        }
    }

    /// The repository an image under this reference would be named after in a docker archive: the layout
    /// directory's or archive file's base name, the registry repository's last component, a docker archive's
    /// NAME.
    public var repositoryName: String? {
        switch self {
        case .layout(let path, _), .ociArchive(let path, _): FileSystem.baseName(of: path)
        case .dockerArchive(let path, let name): name?.repository ?? FileSystem.baseName(of: path)
        case .registry(_, let repository, _): repository.split(separator: "/").last.map(String.init)
        case .objectStore(let url, _): url.split(separator: "/").last.map(String.init)
        }
    }

    /// A tag or a digest within a repository.
    public enum Selector: Sendable, Hashable, CustomStringConvertible {
        case tag(String)
        case digest(Digest)

        public var description: String {
            switch self {
            case .tag(let tag): tag
            case .digest(let digest): digest.description
            }
        }
    }

    /// A `NAME:TAG` as docker-archive's RepoTags hold it.
    public struct DockerName: Sendable, Hashable, CustomStringConvertible {
        public var repository: String
        public var tag: String

        public init(repository: String, tag: String) {
            self.repository = repository
            self.tag = tag
        }

        /// Parses `NAME[:TAG]` (tag defaults to `latest`); NAME may include a registry host with a port.
        public init(parsing text: String) throws(LayoutError) {
            var repository = text
            var tag = "latest"
            if let colon = text.lastIndex(of: ":"), !text[text.index(after: colon)...].contains("/") {
                repository = String(text[..<colon])
                tag = String(text[text.index(after: colon)...])
            }
            try Names.validateTag(tag)
            let path = repository.split(separator: "/", maxSplits: 1)
            let hasHost = path.count == 2 && (path[0].contains(".") || path[0].contains(":") || path[0] == "localhost")
            try Names.validateRepository(hasHost ? String(path[1]) : repository)
            self.init(repository: repository, tag: tag)
        }

        public var description: String { "\(repository):\(tag)" }
    }

    /// Parses a reference.
    /// - Throws: `LayoutError.invalidReference`, `.invalidTag` or `.invalidDigest`.
    public init(parsing text: String) throws(LayoutError) {
        if let rest = text.dropPrefix("docker://") {
            self = try ImageReference.parseRegistry(rest, original: text)
        } else if text.hasPrefix("s3://") {
            let (url, selector) = try ImageReference.splitSelector(text, original: text)
            guard url.dropFirst("s3://".count).split(separator: "/").count >= 2 else {
                throw .invalidReference(text, reason: "expected s3://BUCKET[/PREFIX]/REPOSITORY[:TAG|@DIGEST]")
            }
            self = .objectStore(url: url, selector: selector)
        } else if let rest = text.dropPrefix("oci-archive:") {
            let (path, selector) = try ImageReference.splitSelector(rest, original: text, digests: false)
            if case .tag(let tag) = selector { self = .ociArchive(path: path, tag: tag) }
            else { self = .ociArchive(path: path, tag: nil) }
        } else if let rest = text.dropPrefix("docker-archive:") {
            guard let colon = rest.firstIndex(of: ":") else {
                try ImageReference.requirePath(rest, original: text)
                self = .dockerArchive(path: rest, name: nil)
                return
            }
            let path = String(rest[..<colon])
            try ImageReference.requirePath(path, original: text)
            self = .dockerArchive(path: path, name: try DockerName(parsing: String(rest[rest.index(after: colon)...])))
        } else {
            let (path, selector) = try ImageReference.splitSelector(text.dropPrefix("oci:") ?? text, original: text)
            self = .layout(path: path, selector: selector)
        }
    }

    public var description: String {
        switch self {
        case .layout(let path, let selector): path + ImageReference.suffix(selector)
        case .ociArchive(let path, let tag): "oci-archive:\(path)" + (tag.map { ":\($0)" } ?? "")
        case .dockerArchive(let path, let name): "docker-archive:\(path)" + (name.map { ":\($0)" } ?? "")
        case .registry(let host, let repository, let selector):
            "docker://\(host)/\(repository)" + ImageReference.suffix(selector)
        case .objectStore(let url, let selector): url + ImageReference.suffix(selector)
        }
    }

    private static func suffix(_ selector: Selector?) -> String {
        switch selector {
        case .none: ""
        case .tag(let tag): ":\(tag)"
        case .digest(let digest): "@\(digest)"
        }
    }

    private static func requirePath(_ path: String, original: String) throws(LayoutError) {
        guard !path.isEmpty else { throw .invalidReference(original, reason: "the path is empty") }
    }

    /// Splits `PATH[:TAG|@DIGEST]`. Text after the last `@` is a digest only when it looks like one
    /// (`ALG:...` without `/`), so paths such as `build@2.tar` stay paths.
    private static func splitSelector(_ text: String, original: String, digests: Bool = true) throws(LayoutError)
        -> (String, Selector?)
    {
        if digests, let at = text.lastIndex(of: "@") {
            let suffix = String(text[text.index(after: at)...])
            if suffix.contains(":"), !suffix.contains("/") {
                let path = String(text[..<at])
                try requirePath(path, original: original)
                return (path, .digest(try Digest(suffix)))
            }
        }
        if let colon = text.lastIndex(of: ":") {
            let suffix = String(text[text.index(after: colon)...])
            if !suffix.contains("/") {
                let path = String(text[..<colon])
                try requirePath(path, original: original)
                try Names.validateTag(suffix)
                return (path, .tag(suffix))
            }
        }
        try requirePath(text, original: original)
        return (text, nil)
    }

    private static func parseRegistry(_ text: String, original: String) throws(LayoutError) -> ImageReference {
        guard let slash = text.firstIndex(of: "/") else {
            throw .invalidReference(original, reason: "expected docker://HOST[:PORT]/REPOSITORY[:TAG|@DIGEST]")
        }
        let host = String(text[..<slash])
        guard !host.isEmpty else { throw .invalidReference(original, reason: "the registry host is empty") }
        let (repository, selector) = try splitSelector(String(text[text.index(after: slash)...]), original: original)
        try Names.validateRepository(repository)
        return .registry(host: host, repository: repository, selector: selector)
    }
}

extension String {
    func dropPrefix(_ prefix: String) -> String? {
        hasPrefix(prefix) ? String(dropFirst(prefix.count)) : nil
    }
}
