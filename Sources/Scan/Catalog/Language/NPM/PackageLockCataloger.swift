// SPDX-License-Identifier: Apache-2.0
import Foundation

/// The packages an npm lock file pins: `package-lock.json` and `npm-shrinkwrap.json`, lockfileVersion 1 (the
/// nested `dependencies` tree) and 2 or 3 (the flat `packages` map keyed by install path). As syft does: lock
/// files inside `node_modules` are not read (they describe another project), dev-only dependencies are left out,
/// and entries without a version (workspace links) are not packages.
///
/// Spec: https://docs.npmjs.com/cli/configuring-npm/package-lock-json.
public struct PackageLockCataloger: Cataloger {
    /// The largest lock file read: the parsed document takes several times its size in memory (a monorepo's
    /// lock is a few MiB), so a larger one is a counted skip rather than a memory spike.
    public var sizeLimit: Int
    /// Version 1 nests two levels per installed level, so the limit is higher than a package.json's.
    public var depthLimit: Int

    public init(sizeLimit: Int = 16 << 20, depthLimit: Int = 256) {
        self.sizeLimit = sizeLimit
        self.depthLimit = depthLimit
    }

    public var kind: CatalogedPackage.Kind { .npm }

    public func wants(_ entry: CatalogEntry) -> Bool {
        (entry.name == "package-lock.json" || entry.name == "npm-shrinkwrap.json")
            && !NPMPackage.isInsideNodeModules(entry.path)
    }

    public func catalog(_ file: inout CatalogFile, context: CatalogContext, skips: inout [CatalogSkip]) throws
        -> [CatalogedPackage]
    {
        guard let data = try NPMPackage.read(&file, limit: sizeLimit, skips: &skips) else { return [] }
        let document: Any
        do {
            document = try BoundedJSON.parse(data, maxDepth: depthLimit)
        } catch let refusal as BoundedJSON.Refusal {
            skips.append(CatalogSkip(path: file.path, layer: file.layer, reason: "\(file.entry.name): \(refusal)"))
            return []
        }
        guard let lock = document as? [String: Any] else {
            skips.append(CatalogSkip(path: file.path, layer: file.layer, reason: "lock file is not a JSON object"))
            return []
        }
        var found: [(name: String, version: String, licenses: [String])] = []
        if let packages = lock["packages"] as? [String: Any] {
            for (path, value) in packages {
                guard let entry = value as? [String: Any], entry["dev"] as? Bool != true,
                    let version = entry["version"] as? String, !version.isEmpty
                else { continue }
                let fromPath = path.components(separatedBy: "node_modules/").last ?? ""
                guard let name = entry["name"] as? String ?? (fromPath.isEmpty ? nil : fromPath) else { continue }
                found.append((name, version, NPMPackage.licenses(entry)))
            }
        } else if let dependencies = lock["dependencies"] as? [String: Any] {
            Self.walkVersion1(dependencies) { found.append(($0, $1, [])) }
        } else {
            skips.append(
                CatalogSkip(path: file.path, layer: file.layer, reason: "lock file has neither packages nor dependencies"))
        }
        var seen: Set<String> = []
        return found.sorted { ($0.name, $0.version) < ($1.name, $1.version) }.compactMap { item in
            guard seen.insert(item.name + "@" + item.version).inserted else { return nil }
            return CatalogedPackage(
                kind: .npm, name: item.name, version: item.version,
                purl: NPMPackage.purl(name: item.name, version: item.version), ecosystem: "npm",
                licenses: item.licenses, location: file.location)
        }
    }

    /// Version 1's tree: each dependency by name, its own nested `dependencies` below it (depth already bounded).
    private static func walkVersion1(_ dependencies: [String: Any], _ body: (String, String) -> Void) {
        for (name, value) in dependencies {
            guard let entry = value as? [String: Any], entry["dev"] as? Bool != true else { continue }
            if let version = entry["version"] as? String, !version.isEmpty, !version.hasPrefix("file:") {
                body(name, version)
            }
            if let nested = entry["dependencies"] as? [String: Any] { walkVersion1(nested, body) }
        }
    }
}
