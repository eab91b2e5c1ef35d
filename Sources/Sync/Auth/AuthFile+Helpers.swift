// SPDX-License-Identifier: Apache-2.0
public import Foundation

/// Credential helpers named by an auth file, with docker's precedence: `credHelpers[HOST]`, else `credsStore`,
/// else the `auths` entry. When a helper applies, the file's `auths` entry for the host is not read (docker
/// keeps only empty markers there); a helper with nothing for the host means no credentials from this file.
extension AuthFile {
    /// The name of the credential helper this file names for `host`: its `credHelpers` entry (keyed by host, in any form
    /// `auths` keys take), else `credsStore`; nil when neither.
    /// - Throws: `.invalidArgument` when the file is malformed.
    public func helper(for host: String) throws(SyncError) -> String? {
        let object = try read()
        let wanted = AuthFile.hostAliases(host)
        if let helpers = object["credHelpers"] as? [String: Any] {
            for (key, value) in helpers.sorted(by: { $0.key < $1.key }) {
                let (keyHost, keyPath) = AuthFile.split(key)
                guard keyPath.isEmpty, wanted.contains(keyHost), let name = value as? String, !name.isEmpty else {
                    continue
                }
                return name
            }
        }
        if let store = object["credsStore"] as? String, !store.isEmpty {
            return store
        }
        return nil
    }

    /// The credentials this file gives `host`: from its credential helper when it names one (`get` with the
    /// server URL docker uses), else from `auths`.
    /// - Parameter environment: the helper's environment (its `PATH` is searched for the program).
    /// - Throws: `.invalidArgument` when the file is malformed, `.credentialHelper` when the helper fails.
    public func resolve(
        host: String, repository: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(SyncError) -> Credentials? {
        if let helper = try helper(for: host) {
            return try CredentialHelper(name: helper, environment: environment)
                .get(serverURL: CredentialHelper.serverURL(for: host))
        }
        return try credentials(for: host, repository: repository)
    }
}

