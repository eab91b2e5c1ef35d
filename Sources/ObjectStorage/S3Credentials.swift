// SPDX-License-Identifier: Apache-2.0
public import Foundation
public import Layout

/// The keys requests are signed with, found as every S3 tool finds them: `AWS_ACCESS_KEY_ID` and
/// `AWS_SECRET_ACCESS_KEY` (with `AWS_SESSION_TOKEN`) in the environment, else the profile `AWS_PROFILE` (or
/// `default`) of the shared credentials file (`AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/credentials`).
/// The description never shows the secret.
public struct S3Credentials: Sendable, Hashable, CustomStringConvertible {
    public let accessKey: String
    let secretKey: String
    /// A temporary credential's token, sent as `x-amz-security-token` (signed).
    let sessionToken: String?
    /// Where they came from, for messages: `environment` or `FILE [profile]`.
    public let source: String

    public init(accessKey: String, secretKey: String, sessionToken: String? = nil, source: String) {
        self.accessKey = accessKey
        self.secretKey = secretKey
        self.sessionToken = sessionToken
        self.source = source
    }

    public var description: String { "access key \(accessKey) (from \(source))" }

    /// Finds the credentials.
    /// - Throws: `LayoutError.invalidArgument` naming what was looked for, when nothing is found or the file's
    ///   profile lacks a key.
    public static func resolve(environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(LayoutError) -> S3Credentials
    {
        if let access = environment["AWS_ACCESS_KEY_ID"], !access.isEmpty {
            guard let secret = environment["AWS_SECRET_ACCESS_KEY"], !secret.isEmpty else {
                throw .invalidArgument("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not")
            }
            return S3Credentials(
                accessKey: access, secretKey: secret, sessionToken: environment["AWS_SESSION_TOKEN"].flatMap { $0.isEmpty ? nil : $0 },
                source: "environment")
        }
        let home = environment["HOME"] ?? NSHomeDirectory()
        let file = environment["AWS_SHARED_CREDENTIALS_FILE"] ?? "\(home)/.aws/credentials"
        let profile = environment["AWS_PROFILE"] ?? "default"
        guard let data = FileManager.default.contents(atPath: file) else {
            throw .invalidArgument(
                "no S3 credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or write profile '\(profile)' to \(file)")
        }
        let section = Self.section(profile, of: String(decoding: data, as: UTF8.self))
        guard let access = section["aws_access_key_id"], let secret = section["aws_secret_access_key"] else {
            throw .invalidArgument("\(file): profile '\(profile)' needs aws_access_key_id and aws_secret_access_key")
        }
        return S3Credentials(
            accessKey: access, secretKey: secret, sessionToken: section["aws_session_token"],
            source: "\(file) [\(profile)]")
    }

    /// The `key = value` pairs of one `[profile]` section of an INI credentials file (keys lower-cased;
    /// `#` and `;` lines are comments).
    static func section(_ name: String, of text: String) -> [String: String] {
        var current: String?
        var values: [String: String] = [:]
        for raw in text.split(whereSeparator: \.isNewline) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("["), line.hasSuffix("]") {
                current = line.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
                continue
            }
            guard current == name, let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            values[key] = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
        }
        return values
    }
}
