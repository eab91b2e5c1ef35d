// SPDX-License-Identifier: Apache-2.0
public import Foundation
import Glibc
import Layout

/// A docker `config.json` / containers `auth.json`: `{"auths": {"HOST": {"auth": "base64(user:pass)"}}}`.
///
/// Entries may also hold `username` and `password` instead of `auth`; keys may be a bare host
/// (`registry.example:5000`), a URL (`https://index.docker.io/v1/`) or a host with a repository path
/// (`host/team`, the longest match wins); an `identitytoken` is used as an OAuth2 refresh token. Credential
/// helpers (`credHelpers` per registry, `credsStore` for the others) win over `auths`, as in docker
/// (`AuthFile+Helpers.swift`). Writes keep every other key of the file and replace it atomically, mode 0600.
public struct AuthFile: Sendable, Hashable {
    /// The file's path.
    public let path: String

    public init(path: String) { self.path = path }

    /// Where credentials are looked up, in order: `explicit` (`--authfile`), `$REGISTRY_AUTH_FILE`,
    /// `$XDG_RUNTIME_DIR/containers/auth.json`, then `$DOCKER_CONFIG/config.json` or `~/.docker/config.json`.
    public static func searchPaths(explicit: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment)
        -> [String]
    {
        if let explicit { return [explicit] }
        var paths: [String] = []
        if let file = environment["REGISTRY_AUTH_FILE"], !file.isEmpty { paths.append(file) }
        if let runtime = environment["XDG_RUNTIME_DIR"], !runtime.isEmpty {
            paths.append("\(runtime)/containers/auth.json")
        }
        if let docker = environment["DOCKER_CONFIG"], !docker.isEmpty {
            paths.append("\(docker)/config.json")
        } else if let home = environment["HOME"], !home.isEmpty {
            paths.append("\(home)/.docker/config.json")
        }
        return paths
    }

    /// The file `login` writes to and `logout` removes from: `explicit`, else `$REGISTRY_AUTH_FILE`, else the
    /// docker config (`$DOCKER_CONFIG/config.json` or `~/.docker/config.json`).
    public static func writePath(explicit: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment)
        -> String
    {
        if let explicit { return explicit }
        if let file = environment["REGISTRY_AUTH_FILE"], !file.isEmpty { return file }
        if let docker = environment["DOCKER_CONFIG"], !docker.isEmpty { return "\(docker)/config.json" }
        return "\(environment["HOME"] ?? NSHomeDirectory())/.docker/config.json"
    }

    /// The first credentials found for `host` in the search paths (files that do not exist are skipped): in
    /// each file, the credential helper it names for the host, else its `auths` entry (`resolve`).
    /// - Parameter environment: the search paths' variables, and the helpers' environment (`PATH`).
    /// - Throws: `SyncError.invalidArgument` when a file exists but is malformed, `.credentialHelper` when a
    ///   helper fails.
    public static func lookup(
        host: String, repository: String? = nil, explicit: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(SyncError) -> Credentials? {
        for path in searchPaths(explicit: explicit, environment: environment) {
            let file = AuthFile(path: path)
            if let found = try file.resolve(host: host, repository: repository, environment: environment) {
                return found
            }
        }
        return nil
    }

    /// The credentials this file's `auths` holds for `host` (and `repository`, when entries are per repository),
    /// helpers left aside.
    /// - Returns: nil when the file does not exist or has no entry.
    /// - Throws: `SyncError.invalidArgument` when the file is not valid JSON or an entry is malformed.
    public func credentials(for host: String, repository: String? = nil) throws(SyncError) -> Credentials? {
        guard let auths = try read()["auths"] as? [String: Any] else { return nil }
        let wanted = AuthFile.hostAliases(host)
        var best: (length: Int, entry: [String: Any])?
        for (key, value) in auths {
            guard let entry = value as? [String: Any] else { continue }
            let (keyHost, keyPath) = AuthFile.split(key)
            guard wanted.contains(keyHost) else { continue }
            if !keyPath.isEmpty {
                guard let repository, repository == keyPath || repository.hasPrefix(keyPath + "/") else { continue }
            }
            if best == nil || keyPath.count + 1 > best?.length ?? 0 { best = (keyPath.count + 1, entry) }
        }
        guard let entry = best?.entry else { return nil }
        if let token = entry["identitytoken"] as? String, !token.isEmpty {
            let username = (entry["auth"] as? String).flatMap { try? Credentials(dockerAuth: $0).username }
                ?? entry["username"] as? String ?? CredentialHelper.tokenUsername
            return Credentials(username: username, password: "", identityToken: token)
        }
        if let auth = entry["auth"] as? String, !auth.isEmpty {
            do throws(SyncError) { return try Credentials(dockerAuth: auth) } catch {
                throw .invalidArgument("\(path): the entry for \(host) is not base64 of USER:PASSWORD")
            }
        }
        if let username = entry["username"] as? String, let password = entry["password"] as? String {
            return Credentials(username: username, password: password)
        }
        return nil
    }

    /// Stores credentials for `host` (login), replacing any entry for it.
    public func store(_ credentials: Credentials, for host: String) throws(SyncError) {
        var object = try read()
        var auths = object["auths"] as? [String: Any] ?? [:]
        for key in auths.keys where AuthFile.hostAliases(host).contains(AuthFile.split(key).host)
            && AuthFile.split(key).path.isEmpty
        {
            auths.removeValue(forKey: key)
        }
        auths[AuthFile.key(for: host)] = ["auth": credentials.base64]
        object["auths"] = auths
        try write(object)
    }

    /// Removes the entries for `host` (logout).
    /// - Returns: whether there was one.
    @discardableResult
    public func remove(host: String) throws(SyncError) -> Bool {
        var object = try read()
        guard var auths = object["auths"] as? [String: Any] else { return false }
        let keys = auths.keys.filter { AuthFile.hostAliases(host).contains(AuthFile.split($0).host) }
        guard !keys.isEmpty else { return false }
        for key in keys { auths.removeValue(forKey: key) }
        object["auths"] = auths
        try write(object)
        return true
    }

    // MARK: - File access

    func read() throws(SyncError) -> [String: Any] {
        guard FileManager.default.fileExists(atPath: path) else { return [:] }
        let data: Data
        do throws(LayoutError) { data = try FileSystem.readFile(path, limit: 16 << 20) } catch {
            throw .invalidArgument("cannot read \(path): \(error)")
        }
        if data.isEmpty { return [:] }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw .invalidArgument("\(path) is not a JSON object")
        }
        return object
    }

    private func write(_ object: [String: Any]) throws(SyncError) {
        let data: Data
        do { data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]) } catch {
            throw .invalidArgument("cannot encode \(path): \(error)")
        }
        let directory = FileSystem.parentDirectory(of: path)
        let temporary = "\(path).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        do throws(LayoutError) {
            if !directory.isEmpty { try FileSystem.makeDirectories(directory) }
            let file = try FileDescriptor(path: temporary, flags: O_WRONLY | O_CREAT | O_EXCL, mode: 0o600)
            try data.withBytes { (bytes) throws(LayoutError) in try file.writeAll(bytes) }
            try file.sync()
            try FileSystem.rename(temporary, to: path)
        } catch {
            unlink(temporary)
            throw .invalidArgument("cannot write \(path): \(error)")
        }
    }

    // MARK: - Keys

    /// Splits an auths key into host and repository path: `https://host:5000/v1/` → (`host:5000`, ``),
    /// `host/team/app` → (`host`, `team/app`).
    static func split(_ key: String) -> (host: String, path: String) {
        var text = Substring(key)
        for scheme in ["https://", "http://"] where text.hasPrefix(scheme) { text = text.dropFirst(scheme.count) }
        let host = text.prefix { $0 != "/" }
        var path = text.dropFirst(host.count).drop { $0 == "/" }
        while path.hasSuffix("/") { path = path.dropLast() }
        if path == "v1" || path == "v2" { path = "" }
        return (host.lowercased(), String(path))
    }

    /// The names one registry goes by in auth files (Docker Hub has several).
    static func hostAliases(_ host: String) -> Set<String> {
        let lower = host.lowercased()
        let hub: Set<String> = ["docker.io", "index.docker.io", "registry-1.docker.io"]
        return hub.contains(lower) ? hub : [lower]
    }

    /// The key `store` writes: the bare host, except Docker Hub's historical URL.
    static func key(for host: String) -> String {
        hostAliases(host).contains("docker.io") ? "https://index.docker.io/v1/" : host.lowercased()
    }
}
