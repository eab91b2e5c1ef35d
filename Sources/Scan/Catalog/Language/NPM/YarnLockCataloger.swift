// SPDX-License-Identifier: Apache-2.0
import Foundation

/// The packages a `yarn.lock` pins, in both of its formats: yarn 1's (`version "1.2.3"`) and yarn 2+'s YAML
/// (`version: 1.2.3`, `resolution: "name@npm:1.2.3"`). Workspace, link and portal entries are the project's own
/// code, not packages; lock files inside `node_modules` are not read (as syft does).
///
/// Spec: https://classic.yarnpkg.com/lang/en/docs/yarn-lock/ and https://yarnpkg.com/configuration/yarnrc.
public struct YarnLockCataloger: Cataloger {
    /// The largest yarn.lock read (held whole while its lines are parsed); a larger one is a counted skip.
    public var sizeLimit: Int

    public init(sizeLimit: Int = 16 << 20) {
        self.sizeLimit = sizeLimit
    }

    public var kind: CatalogedPackage.Kind { .npm }

    public func wants(_ entry: CatalogEntry) -> Bool {
        entry.name == "yarn.lock" && !NPMPackage.isInsideNodeModules(entry.path)
    }

    public func catalog(_ file: inout CatalogFile, context: CatalogContext, skips: inout [CatalogSkip]) throws
        -> [CatalogedPackage]
    {
        guard let data = try NPMPackage.read(&file, limit: sizeLimit, skips: &skips) else { return [] }
        var packages: [CatalogedPackage] = []
        var seen: Set<String> = []
        var name: String?
        var version: String?
        var malformed = 0
        func finish() {
            defer { (name, version) = (nil, nil) }
            guard let name, let version, seen.insert(name + "@" + version).inserted else { return }
            packages.append(
                CatalogedPackage(
                    kind: .npm, name: name, version: version, purl: NPMPackage.purl(name: name, version: version),
                    ecosystem: "npm", location: file.location))
        }
        // "\r\n" is one Character: split on either form of line end.
        for line in String(decoding: data, as: UTF8.self).split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            if line.hasPrefix("#") || line.allSatisfy(\.isWhitespace) { continue }
            if line.first != " " {
                finish()
                guard line.hasSuffix(":") else {
                    malformed += 1
                    continue
                }
                name = Self.packageName(fromKey: line.dropLast())
                continue
            }
            guard name != nil, line.hasPrefix("  "), !line.hasPrefix("   ") else { continue }
            let field = line.dropFirst(2)
            if field.hasPrefix("version ") || field.hasPrefix("version:") {
                version = Self.unquote(field.dropFirst("version".count + 1))
            } else if field.hasPrefix("resolution:"), let resolved = Self.packageName(fromKey: field.dropFirst(11)) {
                name = resolved
            }
        }
        finish()
        if malformed > 0 {
            skips.append(
                CatalogSkip(path: file.path, layer: file.layer, reason: "\(malformed) lines of yarn.lock not understood"))
        }
        return packages
    }

    /// The package name of an entry key such as `"@babel/core@^7.0.0", "@babel/core@^7.1.0"` or
    /// `"lodash@npm:^4.17.21"`: the first specifier's text before its first `@` after the first character. Nil for
    /// the `__metadata` block and for workspace, link and portal entries.
    static func packageName(fromKey key: Substring) -> String? {
        let first = key.split(separator: ",").first.map { unquote($0) } ?? ""
        guard first != "__metadata", !first.isEmpty else { return nil }
        for local in ["@workspace:", "@link:", "@portal:", "@file:"] where first.contains(local) { return nil }
        guard let at = first.dropFirst().firstIndex(of: "@") else { return nil }
        let name = String(first[..<at])
        return name.isEmpty ? nil : name
    }

    static func unquote(_ text: Substring) -> String {
        var value = text.trimmingCharacters(in: .whitespaces)
        if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
        return value
    }
}
