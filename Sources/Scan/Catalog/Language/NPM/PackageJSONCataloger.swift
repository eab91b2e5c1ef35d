// SPDX-License-Identifier: Apache-2.0
import Foundation

/// Installed npm packages: every `package.json` that has a `name` and a `version`, as syft's
/// javascript-package-cataloger decides (so the application's own package.json counts when it has both, and the
/// `{"type": "module"}` markers inside packages do not).
///
/// Spec: https://docs.npmjs.com/cli/configuring-npm/package-json (name, version, license).
public struct PackageJSONCataloger: Cataloger {
    /// The largest package.json read (old npm versions copied the README into installed ones); parsed JSON
    /// takes several times its size in memory, so a larger one is a counted skip.
    public var sizeLimit: Int
    /// The deepest JSON nesting parsed.
    public var depthLimit: Int

    public init(sizeLimit: Int = 4 << 20, depthLimit: Int = 64) {
        self.sizeLimit = sizeLimit
        self.depthLimit = depthLimit
    }

    public var kind: CatalogedPackage.Kind { .npm }

    public func wants(_ entry: CatalogEntry) -> Bool { entry.name == "package.json" }

    public func catalog(_ file: inout CatalogFile, context: CatalogContext, skips: inout [CatalogSkip]) throws
        -> [CatalogedPackage]
    {
        guard let data = try NPMPackage.read(&file, limit: sizeLimit, skips: &skips) else { return [] }
        let document: Any
        do {
            document = try BoundedJSON.parse(data, maxDepth: depthLimit)
        } catch let refusal as BoundedJSON.Refusal {
            skips.append(CatalogSkip(path: file.path, layer: file.layer, reason: "package.json: \(refusal)"))
            return []
        }
        guard let object = document as? [String: Any], let name = object["name"] as? String, !name.isEmpty,
            let version = object["version"] as? String, !version.isEmpty
        else { return [] }
        return [
            CatalogedPackage(
                kind: .npm, name: name, version: version, purl: NPMPackage.purl(name: name, version: version),
                ecosystem: "npm", licenses: NPMPackage.licenses(object), location: file.location)
        ]
    }
}
