// SPDX-License-Identifier: Apache-2.0

/// Where each setting of a configuration file stands, by its path (`repositories[0].tags.latest` →
/// `FILE:LINE:COLUMN` of its value): for messages about values that a later check refuses.
public struct SettingLocations: Sendable, Hashable {
    /// Setting path → `FILE:LINE:COLUMN`.
    public var byPath: [String: String] = [:]

    public init() {}

    /// Where the setting at `path` stands, or else the nearest setting around it (`a.b[2]`, then `a.b`, then `a`).
    public func location(of path: String) -> String? {
        var path = Substring(path)
        while !path.isEmpty {
            if let location = byPath[String(path)] { return location }
            path = path[..<(path.lastIndex { $0 == "." || $0 == "[" } ?? path.startIndex)]
        }
        return nil
    }

    /// `message` (`PATH: PROBLEM`) with the location of its setting in front, when known.
    public func locate(_ message: String) -> String {
        guard let location = location(of: String(message.prefix { $0 != ":" })) else { return message }
        return "\(location): \(message)"
    }
}
