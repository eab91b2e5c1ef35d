// SPDX-License-Identifier: Apache-2.0
import Foundation

/// A user name and password (or token) for a registry. Its description never shows the password.
public struct Credentials: Sendable, Hashable, CustomStringConvertible {
    /// The user name (for a token, whatever the registry expects, often ignored).
    public var username: String
    /// The password or access token.
    public var password: String
    /// An identity token (an OAuth2 refresh token, as a credential helper returns with user name `<token>` or
    /// an auth file holds as `identitytoken`): exchanged at the token server for access tokens
    /// (`grant_type=refresh_token`) instead of sending a password.
    public var identityToken: String?

    public init(username: String, password: String, identityToken: String? = nil) {
        self.username = username
        self.password = password
        self.identityToken = identityToken
    }

    /// Parses `USER:PASSWORD` as `--creds` takes it (the password may contain `:`).
    /// - Throws: `SyncError.invalidArgument` when there is no `:` or the user name is empty.
    public init(parsing text: String) throws(SyncError) {
        guard let colon = text.firstIndex(of: ":"), colon != text.startIndex else {
            throw .invalidArgument("credentials must be USER:PASSWORD")
        }
        self.init(username: String(text[..<colon]), password: String(text[text.index(after: colon)...]))
    }

    /// Decodes a docker config.json `auth` value: base64 of `user:password`.
    /// - Throws: `SyncError.invalidArgument` when it is not base64 of `user:password`.
    public init(dockerAuth: String) throws(SyncError) {
        guard let data = Data(base64Encoded: dockerAuth.trimmingCharacters(in: .whitespaces)),
            let text = String(data: data, encoding: .utf8)
        else { throw .invalidArgument("an auth entry is not base64 of USER:PASSWORD") }
        try self.init(parsing: text)
    }

    /// base64 of `user:password`, as the `Authorization: Basic` header and docker config.json's `auth` hold it.
    public var base64: String { Data("\(username):\(password)".utf8).base64EncodedString() }

    /// The `Authorization` header value for HTTP Basic.
    var basicAuthorization: String { "Basic \(base64)" }

    public var description: String { "\(username):***" }
}
