// SPDX-License-Identifier: Apache-2.0
public import Layout

/// Catalogs an image (or every platform of an index) from any `ImageSource`: each layer is streamed once,
/// its files offered to the catalogers, and the layers applied in order (whiteouts and opaque directories
/// honoured, a file written again by a later layer replacing what the earlier one held). Per-layer results
/// are cached by layer digest, so layers shared with an image cataloged before are not read again.
public struct ImageCataloger: Sendable {
    /// Every cataloger ocitool has, in the order files are offered to them.
    public static var defaultCatalogers: [any Cataloger] {
        [DpkgCataloger(), APKCataloger(), RPMCataloger()]
    }

    public var catalogers: [any Cataloger]
    public var cache: LayerCatalogCache?

    public init(catalogers: [any Cataloger] = ImageCataloger.defaultCatalogers, cache: LayerCatalogCache? = nil) {
        self.catalogers = catalogers
        self.cache = cache
    }

    /// The catalogs of the image `descriptor` names: one for an image manifest, one per platform of an index
    /// (those matching `platform` when given; attestation and unknown entries are left out), in index order.
    /// - Throws: `ScanError.noMatchingPlatform` when an index has no image for `platform`;
    ///   `ScanError.invalidLayer` for a layer that is not a tar archive; the source's errors.
    public func catalog(_ descriptor: Descriptor, in source: any ImageSource, platform: Platform? = nil) throws
        -> [ImageCatalog]
    {
        let manifest = try source.manifest(descriptor)
        switch manifest.kind {
        case .image(let image):
            return [try catalog(image: image, descriptor: descriptor, platform: descriptor.platform, in: source)]
        case .index(let index):
            var catalogs: [ImageCatalog] = []
            var available: [String] = []
            for entry in index.manifests where entry.mediaType.isImageManifest {
                guard let entryPlatform = entry.platform, entryPlatform.os != "unknown" else { continue }
                available.append(entryPlatform.description)
                if let platform, !entryPlatform.matches(platform) { continue }
                guard case .image(let image) = try source.manifest(entry).kind else { continue }
                catalogs.append(try catalog(image: image, descriptor: entry, platform: entryPlatform, in: source))
            }
            guard !catalogs.isEmpty else {
                throw ScanError.noMatchingPlatform(wanted: platform?.description, available: available)
            }
            return catalogs
        }
    }

    /// One image manifest's catalog.
    public func catalog(image: ImageManifest, descriptor: Descriptor, platform: Platform?, in source: any ImageSource)
        throws -> ImageCatalog
    {
        var layers: [LayerCatalog] = []
        var read = 0
        let walker = LayerWalker(catalogers: catalogers)
        let key = LayerCatalogCache.key(for: catalogers)
        for layer in image.layers {
            if let cached = cache?.load(layer.digest, key: key) {
                layers.append(cached)
                continue
            }
            let result = try walker.walk(layer, in: source)
            read += 1
            cache?.store(result, key: key)
            layers.append(result)
        }
        var skips: [CatalogSkip] = []
        let distro = OSRelease.distro(of: layers, skips: &skips)
        var packages: [CatalogedPackage] = []
        for (index, layer) in layers.enumerated() {
            let above = layers[(index + 1)...]
            for package in layer.packages where !above.contains(where: { $0.hides(package.location.path) }) {
                packages.append(Distro.finish(package, distro: distro))
            }
            skips += layer.skips.filter { skip in !above.contains { $0.hides(skip.path) } }
        }
        packages.sort(by: CatalogedPackage.inventoryOrder)
        return ImageCatalog(
            manifest: descriptor, platform: platform, distro: distro, packages: packages, skips: skips,
            layers: image.layers.map(\.digest), layersRead: read)
    }
}

extension CatalogedPackage {
    /// The order inventories list packages in: kind, name, version, then where they were found.
    public static func inventoryOrder(_ a: CatalogedPackage, _ b: CatalogedPackage) -> Bool {
        if a.kind != b.kind { return a.kind.rawValue < b.kind.rawValue }
        if a.name != b.name { return a.name < b.name }
        if a.version != b.version { return a.version < b.version }
        if a.location.path != b.location.path { return a.location.path < b.location.path }
        return (a.location.layer?.description ?? "") < (b.location.layer?.description ?? "")
    }
}
