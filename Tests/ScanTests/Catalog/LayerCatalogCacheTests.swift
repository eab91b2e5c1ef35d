// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
import Scan
import Testing

/// The per-layer cache keeps `LayerCatalog`s in a binary form of their own: what is stored reads back equal,
/// and a file that is not one is a miss, never an error or a wrong catalog.
@Suite("Scan: the per-layer catalog cache")
struct LayerCatalogCacheTests {
    static func digest(_ text: String) -> Digest { Digest.sha256(of: Data(text.utf8)) }

    static let catalog = LayerCatalog(
        layer: digest("layer"),
        packages: [
            CatalogedPackage(
                kind: .deb, name: "libc6", version: "2.36-9+deb12u1",
                purl: PackageURL("pkg:deb/debian/libc6@2.36-9%2Bdeb12u1?arch=amd64&distro=debian-12")!,
                sourceName: "glibc", sourceVersion: "2.36-9", ecosystem: nil, licenses: ["LGPL-2.1", "GPL-2.0"],
                location: .init(layer: digest("layer"), path: "var/lib/dpkg/status")),
            CatalogedPackage(
                kind: .java, name: "org.apache.logging.log4j:log4j-core", version: "2.14.1",
                purl: PackageURL(
                    type: "maven", namespace: "org.apache.logging.log4j", name: "log4j-core", version: "2.14.1",
                    qualifiers: ["type": "jar", "classifier": "ünïcode"], subpath: "META-INF/x"),
                ecosystem: "Maven", location: .init(layer: digest("another layer"), path: "app/lib/log4j-core.jar")),
            CatalogedPackage(
                kind: .npm, name: "", version: "", purl: PackageURL(type: "npm", name: "x"), ecosystem: "npm",
                location: .init(layer: nil, path: String(repeating: "long/", count: 100))),
        ],
        skips: [
            CatalogSkip(path: "usr/bin/app", layer: digest("layer"), reason: "over the size limit"),
            CatalogSkip(path: "usr/bin/other", layer: nil, reason: "not a Go binary"),
        ],
        cataloged: ["app/package-lock.json", "var/lib/dpkg/status"], whiteouts: ["etc/old"], opaqueDirectories: ["", "opt"],
        osRelease: ["etc/os-release": .symlink("../usr/lib/os-release"), "usr/lib/os-release": .file("ID=debian\n")])

    @Test func aStoredCatalogReadsBackEqual() throws {
        let cache = LayerCatalogCache(directory: try ScanFixtures.directory() + "/catalog")
        cache.store(Self.catalog, key: "k")
        #expect(cache.load(Self.catalog.layer, key: "k") == Self.catalog)
        #expect(cache.load(Self.catalog.layer, key: "other") == nil)
        #expect(cache.load(Self.digest("no such layer"), key: "k") == nil)
        let empty = LayerCatalog(layer: Self.digest("empty"))
        cache.store(empty, key: "k")
        #expect(cache.load(empty.layer, key: "k") == empty)
    }

    @Test func aDamagedOrForeignEntryIsAMiss() throws {
        let directory = try ScanFixtures.directory() + "/catalog"
        let cache = LayerCatalogCache(directory: directory)
        cache.store(Self.catalog, key: "k")
        let files = try FileManager.default.subpathsOfDirectory(atPath: directory).filter { $0.hasSuffix(".catalog") }
        let path = directory + "/" + (try #require(files.first))
        let stored = try Data(contentsOf: URL(fileURLWithPath: path))
        let encoder = JSONEncoder()
        for damaged in [stored.prefix(stored.count / 2), stored + Data([0]), Data(), try encoder.encode(Self.catalog)] {
            try damaged.write(to: URL(fileURLWithPath: path))
            #expect(cache.load(Self.catalog.layer, key: "k") == nil)
        }
        // Another layer's catalog under this layer's name is not this layer's.
        cache.store(LayerCatalog(layer: Self.digest("other")), key: "k")
        let other = directory + "/k/sha256/" + Self.digest("other").encoded + ".catalog"
        try FileManager.default.removeItem(atPath: path)
        try FileManager.default.copyItem(atPath: other, toPath: path)
        #expect(cache.load(Self.catalog.layer, key: "k") == nil)
    }
}
