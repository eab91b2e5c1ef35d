// SPDX-License-Identifier: Apache-2.0

/// Evaluates `AuthConfiguration`'s rules: what a user (or an anonymous client) may do to a repository.
struct AccessControl: Sendable {
    typealias Action = AuthConfiguration.Action

    let configuration: AuthConfiguration

    /// The actions `user` may perform on `repository`; `user` nil is an anonymous client.
    func actions(for user: String?, on repository: String) -> Set<Action> {
        guard let user else { return configuration.anonymousRead ? [.pull] : [] }
        if configuration.rules.isEmpty { return Set(Action.allCases) }
        var allowed: Set<Action> = []
        for rule in configuration.rules where applies(rule, to: user) {
            guard !rule.actions.isSubset(of: allowed) else { continue }
            if rule.repositories.contains(where: { AccessControl.glob($0, matches: repository) }) {
                allowed.formUnion(rule.actions)
            }
        }
        if configuration.anonymousRead { allowed.insert(.pull) }
        return allowed
    }

    /// Whether `user` (nil: anonymous) may list the catalog: anyone who may pull something.
    func mayListCatalog(_ user: String?) -> Bool {
        user != nil || configuration.anonymousRead
    }

    private func applies(_ rule: AuthConfiguration.Rule, to user: String) -> Bool {
        if rule.users.contains(user) || rule.users.contains("*") { return true }
        return rule.groups.contains { configuration.groups[$0]?.contains(user) ?? false }
    }

    /// Matches a repository name against a glob: `*` any run of characters but `/`, `**` any run including `/`,
    /// `?` one character but `/`; everything else literally.
    static func glob(_ pattern: String, matches name: String) -> Bool {
        matches(Array(pattern.utf8)[...], Array(name.utf8)[...])
    }

    private static func matches(_ pattern: ArraySlice<UInt8>, _ name: ArraySlice<UInt8>) -> Bool {
        let star = UInt8(ascii: "*")
        let slash = UInt8(ascii: "/")
        guard let first = pattern.first else { return name.isEmpty }
        if first == star {
            let doubled = pattern.dropFirst().first == star
            let rest = pattern.dropFirst(doubled ? 2 : 1)
            var candidate = name
            while true {
                if matches(rest, candidate) { return true }
                guard let next = candidate.first, doubled || next != slash else { return false }
                candidate = candidate.dropFirst()
            }
        }
        guard let character = name.first else { return false }
        if first == UInt8(ascii: "?") {
            return character != slash && matches(pattern.dropFirst(), name.dropFirst())
        }
        return first == character && matches(pattern.dropFirst(), name.dropFirst())
    }
}
