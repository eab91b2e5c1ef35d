// SPDX-License-Identifier: Apache-2.0
public import Foundation
public import Layout

/// Per-layer catalog results on disk, by layer digest: `DIR/<key>/<alg>/<hex>.catalog`, where the key names the
/// cache format and the catalogers (kind and version), so a changed cataloger never reads an old result.
/// Each holds `LayerCatalog.binary`. Written atomically (a temp file renamed into place); an unreadable entry
/// is treated as missing.
public struct LayerCatalogCache: Sendable {
    /// Bumped when `LayerCatalog`'s meaning or stored form changes (2: the binary form, was JSON).
    public static let formatVersion = 2
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    /// The cache of a local layout or store: `ROOT/.ocitool/catalog`.
    public init(layoutRoot: String) {
        self.init(directory: layoutRoot + "/.ocitool/catalog")
    }

    /// The cache for images read from `source`: the layout's own when it is a local layout, else the user's.
    public static func of(_ source: any ImageSource) -> LayerCatalogCache? {
        source.localLayout.map { LayerCatalogCache(layoutRoot: $0.path) } ?? userDefault()
    }

    /// The user's cache directory: `$XDG_CACHE_HOME/ocitool/catalog`, else `~/.cache/ocitool/catalog`.
    public static func userDefault(environment: [String: String] = ProcessInfo.processInfo.environment)
        -> LayerCatalogCache?
    {
        if let base = environment["XDG_CACHE_HOME"], base.hasPrefix("/") {
            return LayerCatalogCache(directory: base + "/ocitool/catalog")
        }
        guard let home = environment["HOME"], !home.isEmpty else { return nil }
        return LayerCatalogCache(directory: home + "/.cache/ocitool/catalog")
    }

    /// The key for a set of catalogers: the format version and each cataloger's kind and version.
    static func key(for catalogers: [any Cataloger]) -> String {
        let text = (["v\(formatVersion)"] + catalogers.map { "\($0.kind.rawValue):\($0.cacheVersion)" })
            .joined(separator: ",")
        return String(Digest.sha256(of: Data(text.utf8)).encoded.prefix(16))
    }

    private func path(_ digest: Digest, key: String) -> String {
        "\(directory)/\(key)/\(digest.algorithm.rawValue)/\(digest.encoded).catalog"
    }

    /// The cached result for a layer, nil when there is none (or it cannot be read).
    public func load(_ digest: Digest, key: String) -> LayerCatalog? {
        guard let data = FileManager.default.contents(atPath: path(digest, key: key)),
            let catalog = try? LayerCatalog(binary: data), catalog.layer == digest
        else { return nil }
        return catalog
    }

    /// Stores a result; failing to write only costs the next run a read of the layer.
    public func store(_ catalog: LayerCatalog, key: String) {
        let final = path(catalog.layer, key: key)
        let folder = (final as NSString).deletingLastPathComponent
        let temporary = "\(folder)/.tmp-\(UUID().uuidString)"
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try catalog.binary.write(to: URL(fileURLWithPath: temporary))
            guard rename(temporary, final) == 0 else {
                try? FileManager.default.removeItem(atPath: temporary)
                return
            }
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
        }
    }
}
