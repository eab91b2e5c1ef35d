// SPDX-License-Identifier: Apache-2.0

/// `ocitool login` and `logout`: credentials checked against the registry, then stored in (or removed from)
/// an auth file.
public enum RegistryLogin {
    /// Checks `credentials` against the registry (`GET /v2/`, answering its Basic or Bearer challenge), then
    /// stores them.
    /// - Parameters:
    ///   - registry: `host[:port]`.
    ///   - options: TLS, `--plain-http`, `--authfile` (where to write) and the environment.
    /// - Returns: the auth file written.
    /// - Throws: `.authenticationFailed` when the registry rejects them (nothing is stored), transport errors,
    ///   `.invalidArgument` when the auth file cannot be read or written.
    @discardableResult
    public static func login(registry: String, credentials: Credentials, options: RegistryOptions) throws(SyncError)
        -> String
    {
        var options = options
        options.credentials = credentials
        try options.client(registry: registry).checkAuthentication()
        let path = AuthFile.writePath(explicit: options.authFile, environment: options.environment)
        try AuthFile(path: path).store(credentials, for: registry)
        return path
    }

    /// Removes the stored credentials of a registry.
    /// - Returns: the auth file changed, or nil when it held no entry for the registry.
    @discardableResult
    public static func logout(registry: String, options: RegistryOptions) throws(SyncError) -> String? {
        let path = AuthFile.writePath(explicit: options.authFile, environment: options.environment)
        return try AuthFile(path: path).remove(host: registry) ? path : nil
    }
}
