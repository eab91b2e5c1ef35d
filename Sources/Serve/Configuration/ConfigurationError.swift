// SPDX-License-Identifier: Apache-2.0

/// A configuration that cannot be served: one line saying where and what (`FILE:LINE:COLUMN: message` for the
/// configuration file, `--flag: message` for a flag).
public struct ConfigurationError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The whole line.
    public let message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
