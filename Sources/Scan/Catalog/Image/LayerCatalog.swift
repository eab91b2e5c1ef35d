// SPDX-License-Identifier: Apache-2.0
public import Layout

/// What one layer holds for the catalogers, independent of every other layer and of the distro: the unit
/// the cache stores by layer digest. `ImageCataloger` applies the layers in order to get the image's view.
public struct LayerCatalog: Codable, Hashable, Sendable {
    /// The layer blob's digest.
    public var layer: Digest
    /// Packages found in this layer's files (OS packages without their distro: see `Distro.finish`).
    public var packages: [CatalogedPackage]
    /// Files a cataloger or the walker did not read, and why.
    public var skips: [CatalogSkip]
    /// Every path offered to a cataloger, sorted: a later layer writing one replaces what an earlier one found.
    public var cataloged: [String]
    /// Paths `.wh.NAME` entries delete from the layers below (with everything under them).
    public var whiteouts: [String]
    /// Directories `.wh..wh..opq` makes opaque: the layers below contribute nothing inside them.
    public var opaqueDirectories: [String]
    /// Files and symlinks named `os-release`: the path and its contents or its symlink target.
    public var osRelease: [String: OSReleaseEntry]

    public init(
        layer: Digest, packages: [CatalogedPackage] = [], skips: [CatalogSkip] = [], cataloged: [String] = [],
        whiteouts: [String] = [], opaqueDirectories: [String] = [], osRelease: [String: OSReleaseEntry] = [:]
    ) {
        self.layer = layer
        self.packages = packages
        self.skips = skips
        self.cataloged = cataloged
        self.whiteouts = whiteouts
        self.opaqueDirectories = opaqueDirectories
        self.osRelease = osRelease
    }

    /// Whether this layer hides `path` of a layer below: writes it again, deletes it or an ancestor, or makes
    /// an ancestor opaque.
    func hides(_ path: String) -> Bool {
        if cataloged.contains(path) || osRelease[path] != nil { return true }
        if whiteouts.contains(where: { path == $0 || path.hasPrefix($0 + "/") }) { return true }
        return opaqueDirectories.contains { $0.isEmpty || path.hasPrefix($0 + "/") }
    }
}

/// An `os-release` file as a layer holds it.
public enum OSReleaseEntry: Codable, Hashable, Sendable {
    case file(String)
    case symlink(String)
}
