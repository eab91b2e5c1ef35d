// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
import Scan
import Testing

/// The seam other catalogers plug into: a file several catalogers want reaches each of them whole, and a
/// cataloger's new `cacheVersion` makes cached layer results unused.
@Suite("Scan: the cataloger seam")
struct CatalogerSeamTests {
    typealias F = ScanImageFixtures

    /// Reports one package per file it wants, named after the file's SHA-256 (so it proves it read every byte).
    struct DigestCataloger: Cataloger {
        var suffix: String
        var cacheVersion: String = "1"

        var kind: CatalogedPackage.Kind { .python }
        func wants(_ entry: CatalogEntry) -> Bool { entry.path.hasSuffix(suffix) }
        func catalog(_ file: inout CatalogFile, context: CatalogContext, skips: inout [CatalogSkip]) throws
            -> [CatalogedPackage]
        {
            let data = try file.readAll(limit: 1 << 20)
            let name = Digest.sha256(of: data).encoded
            return [
                CatalogedPackage(
                    kind: .python, name: name, version: cacheVersion, purl: PackageURL(type: "pypi", name: name),
                    ecosystem: "PyPI", location: file.location)
            ]
        }
    }

    @Test func aFileSeveralCatalogersWantReachesEachWhole() throws {
        let layout = try F.makeLayout()
        let contents = String(repeating: "Metadata-Version: 2.1\nName: x\n", count: 5000)
        let image = try F.pushImage(
            layout, layers: [try F.layer([.file("site/x.dist-info/METADATA", contents)])], tag: "1")
        let cataloger = ImageCataloger(catalogers: [
            DigestCataloger(suffix: "METADATA"), DigestCataloger(suffix: ".dist-info/METADATA"),
        ])
        let catalog = try #require(try cataloger.catalog(image, in: LayoutEndpoint(layout)).first)
        let expected = Digest.sha256(of: Data(contents.utf8)).encoded
        #expect(catalog.packages.map(\.name) == [expected, expected])
    }

    @Test func aNewCatalogerVersionIgnoresCachedResults() throws {
        let layout = try F.makeLayout()
        let image = try F.pushImage(layout, layers: [try F.layer([.file("a/METADATA", "one")])], tag: "1")
        let cache = LayerCatalogCache(layoutRoot: layout.path)
        let first = try ImageCataloger(catalogers: [DigestCataloger(suffix: "METADATA")], cache: cache)
            .catalog(image, in: LayoutEndpoint(layout))
        #expect(first.map(\.layersRead) == [1])
        let again = try ImageCataloger(catalogers: [DigestCataloger(suffix: "METADATA")], cache: cache)
            .catalog(image, in: LayoutEndpoint(layout))
        #expect(again.map(\.layersRead) == [0])
        let bumped = try ImageCataloger(
            catalogers: [DigestCataloger(suffix: "METADATA", cacheVersion: "2")], cache: cache
        )
        .catalog(image, in: LayoutEndpoint(layout))
        #expect(bumped.map(\.layersRead) == [1])
        #expect(bumped.first?.packages.first?.version == "2")
    }
}
