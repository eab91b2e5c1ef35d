// SPDX-License-Identifier: Apache-2.0

/// `ocitool login` and `logout`: credentials checked against the registry, then stored in (or removed from)
/// the auth file, or the credential helper the auth file names for the registry (`credHelpers`, else
/// `credsStore`), as docker does.
public enum RegistryLogin {
    /// Checks `credentials` against the registry (`GET /v2/`, answering its Basic or Bearer challenge), then
    /// stores them: with the auth file's credential helper for the registry when it names one (`store`; any
    /// plain-text `auths` entry for the registry is dropped), else in the auth file's `auths`.
    /// - Parameters:
    ///   - registry: `host[:port]`.
    ///   - options: TLS, `--plain-http`, `--authfile` (where to write) and the environment (the helper's too).
    /// - Returns: where they went: the auth file's path, or the helper's program (`docker-credential-NAME`).
    /// - Throws: `.authenticationFailed` when the registry rejects them (nothing is stored), transport errors,
    ///   `.invalidArgument` when the auth file cannot be read or written, `.credentialHelper`.
    @discardableResult
    public static func login(registry: String, credentials: Credentials, options: RegistryOptions) throws(SyncError)
        -> String
    {
        var options = options
        options.credentials = credentials
        try options.client(registry: registry).checkAuthentication()
        let path = AuthFile.writePath(explicit: options.authFile, environment: options.environment)
        let file = AuthFile(path: path)
        if let name = try file.helper(for: registry) {
            let helper = CredentialHelper(name: name, environment: options.environment)
            try helper.store(credentials, serverURL: CredentialHelper.serverURL(for: registry))
            if try file.credentials(for: registry) != nil { try file.remove(host: registry) }
            return helper.program
        }
        try file.store(credentials, for: registry)
        return path
    }

    /// The registry `host[:port]` a login argument names, as docker reads it: a scheme (`docker://`, `https://`)
    /// and a path (`/v1/`, a repository) are dropped, so `https://registry.local:5000/v2/` is
    /// `registry.local:5000`.
    public static func host(_ argument: String) -> String {
        var text = Substring(argument)
        if let scheme = text.firstRange(of: "://") { text = text[scheme.upperBound...] }
        return String(text.prefix { $0 != "/" })
    }

    /// Removes the stored credentials of a registry: `erase` with the auth file's credential helper for it, if
    /// any, and its `auths` entries.
    /// - Returns: where they were removed from (the helper's program, the auth file's path, or both joined by
    ///   " and "), or nil when nothing held any.
    @discardableResult
    public static func logout(registry: String, options: RegistryOptions) throws(SyncError) -> String? {
        let path = AuthFile.writePath(explicit: options.authFile, environment: options.environment)
        let file = AuthFile(path: path)
        var removed: [String] = []
        if let name = try file.helper(for: registry) {
            let helper = CredentialHelper(name: name, environment: options.environment)
            if try helper.erase(serverURL: CredentialHelper.serverURL(for: registry)) { removed.append(helper.program) }
        }
        if try file.remove(host: registry) { removed.append(path) }
        return removed.isEmpty ? nil : removed.joined(separator: " and ")
    }
}
