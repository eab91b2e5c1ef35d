// SPDX-License-Identifier: Apache-2.0
import YAMLConfig
import Yams

/// The `auth:` section of the configuration file.
extension ServeConfiguration {
    static func readAuth(_ node: Node, _ reader: ConfigReader) throws(ConfigurationError) -> AuthConfiguration {
        let entries = try reader.mapping(
            node, "auth", allowed: ["htpasswd", "anonymousRead", "groups", "access", "token", "failedLogins"])
        guard let htpasswd = entries["htpasswd"] else { throw reader.error(node, "'auth' needs 'htpasswd'") }
        var auth = AuthConfiguration(htpasswd: try reader.path(htpasswd, "auth.htpasswd"))
        if let node = entries["anonymousRead"] { auth.anonymousRead = try reader.bool(node, "auth.anonymousRead") }
        if let node = entries["groups"] {
            guard let mapping = node.mapping else { throw reader.error(node, "'auth.groups' must map names to users") }
            for (key, value) in mapping {
                guard let name = key.scalar?.string, !name.isEmpty else {
                    throw reader.error(key, "group names must be plain names")
                }
                auth.groups[name] = try reader.strings(value, "auth.groups.\(name)")
            }
        }
        if let node = entries["access"] {
            guard let sequence = node.sequence else {
                throw reader.error(node, "'auth.access' must be a list of rules")
            }
            for (index, item) in sequence.enumerated() {
                auth.rules.append(try readRule(item, "auth.access[\(index)]", groups: auth.groups, reader))
            }
        }
        if let node = entries["token"] {
            let token = try reader.mapping(
                node, "auth.token", allowed: ["service", "realm", "secret", "expiry", "issuer"])
            guard let service = token["service"] else { throw reader.error(node, "'auth.token' needs 'service'") }
            var value = AuthConfiguration.Token(service: try reader.string(service, "auth.token.service"))
            if let node = token["realm"] { value.realm = try reader.string(node, "auth.token.realm") }
            if let node = token["secret"] { value.secret = try reader.string(node, "auth.token.secret") }
            if let node = token["expiry"] { value.expiry = try reader.duration(node, "auth.token.expiry") }
            if let node = token["issuer"] { value.issuer = try reader.string(node, "auth.token.issuer") }
            auth.token = value
        }
        if let node = entries["failedLogins"] {
            let limits = try reader.mapping(node, "auth.failedLogins", allowed: ["max", "window"])
            if let node = limits["max"] {
                auth.failedLoginLimit = try reader.integer(node, "auth.failedLogins.max", in: 1...1_000_000)
            }
            if let node = limits["window"] {
                auth.failedLoginWindow = try reader.duration(node, "auth.failedLogins.window")
            }
        }
        return auth
    }

    private static func readRule(
        _ node: Node, _ path: String, groups: [String: [String]], _ reader: ConfigReader
    ) throws(ConfigurationError) -> AuthConfiguration.Rule {
        let entries = try reader.mapping(node, path, allowed: ["users", "groups", "repositories", "actions"])
        let users =
            try entries["users"].map { (node) throws(ConfigurationError) in try reader.strings(node, path + ".users") }
            ?? []
        let ruleGroups =
            try entries["groups"].map { (node) throws(ConfigurationError) in
                try reader.strings(node, path + ".groups")
            } ?? []
        guard !users.isEmpty || !ruleGroups.isEmpty else {
            throw reader.error(node, "'\(path)' names no users and no groups")
        }
        if let unknown = ruleGroups.first(where: { groups[$0] == nil }), let node = entries["groups"] {
            throw reader.error(node, "'\(path).groups' names group '\(unknown)', which 'auth.groups' does not define")
        }
        guard let repositoriesNode = entries["repositories"] else {
            throw reader.error(node, "'\(path)' needs 'repositories' (e.g. [\"team/*\"] or [\"**\"])")
        }
        let repositories = try reader.strings(repositoriesNode, path + ".repositories")
        guard !repositories.isEmpty, !repositories.contains("") else {
            throw reader.error(repositoriesNode, "'\(path).repositories' must list at least one glob")
        }
        guard let actionsNode = entries["actions"] else {
            throw reader.error(node, "'\(path)' needs 'actions' (pull, push, delete)")
        }
        var actions: Set<AuthConfiguration.Action> = []
        for text in try reader.strings(actionsNode, path + ".actions") {
            if text == "*" {
                actions.formUnion(AuthConfiguration.Action.allCases)
                continue
            }
            guard let action = AuthConfiguration.Action(rawValue: text) else {
                throw reader.error(
                    actionsNode, "'\(path).actions': unknown action '\(text)' (expected pull, push, delete)")
            }
            actions.insert(action)
        }
        guard !actions.isEmpty else { throw reader.error(actionsNode, "'\(path).actions' is empty") }
        return AuthConfiguration.Rule(users: users, groups: ruleGroups, repositories: repositories, actions: actions)
    }
}
