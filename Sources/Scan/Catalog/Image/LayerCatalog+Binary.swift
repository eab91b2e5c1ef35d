// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout

extension LayerCatalog {
    /// What the binary form starts with.
    static let binaryMagic = "ocitool layer catalog"

    /// The form the per-layer cache stores (`CompactWriter`'s encoding after `binaryMagic`): what a rescan
    /// reads back for every layer, so it is read without reflection (JSON decoding of the 1,501 packages and
    /// 3,000 paths of the 1 GiB bench image's layers took a quarter of its rescan). A purl is kept as its parts,
    /// a package's or skip's layer as a mark when it is the catalog's own.
    var binary: Data {
        var writer = CompactWriter()
        writer.string(Self.binaryMagic)
        writer.string(layer.description)
        writer.list(packages) { writer, package in
            writer.string(package.kind.rawValue)
            writer.string(package.name)
            writer.string(package.version)
            writer.string(package.purl.type)
            writer.optionalString(package.purl.namespace)
            writer.string(package.purl.name)
            writer.optionalString(package.purl.version)
            writer.list(package.purl.qualifiers.sorted(by: { $0.key < $1.key })) { writer, qualifier in
                writer.string(qualifier.key)
                writer.string(qualifier.value)
            }
            writer.optionalString(package.purl.subpath)
            writer.optionalString(package.sourceName)
            writer.optionalString(package.sourceVersion)
            writer.optionalString(package.ecosystem)
            writer.list(package.licenses) { writer, license in writer.string(license) }
            writeLayer(package.location.layer, to: &writer)
            writer.string(package.location.path)
        }
        writer.list(skips) { writer, skip in
            writer.string(skip.path)
            writeLayer(skip.layer, to: &writer)
            writer.string(skip.reason)
        }
        for paths in [cataloged, whiteouts, opaqueDirectories] {
            writer.list(paths) { writer, path in writer.string(path) }
        }
        writer.list(osRelease.sorted(by: { $0.key < $1.key })) { writer, entry in
            writer.string(entry.key)
            switch entry.value {
            case .file(let contents):
                writer.count(0)
                writer.string(contents)
            case .symlink(let target):
                writer.count(1)
                writer.string(target)
            }
        }
        return writer.data
    }

    /// Reads the binary form back.
    /// - Throws: `CompactReader.Damaged` for bytes that are not one (another format, truncated, damaged).
    init(binary data: Data) throws {
        self = try CompactReader.read(data) { reader in
            guard try reader.string() == Self.binaryMagic else { throw CompactReader.Damaged() }
            let layer = try Digest(try reader.string())
            func readLayer(_ reader: inout CompactReader) throws -> Digest? {
                switch try reader.count() {
                case 0: return nil
                case 1: return layer
                case 2: return try Digest(try reader.string())
                default: throw CompactReader.Damaged()
                }
            }
            let packages = try reader.list { reader -> CatalogedPackage in
                guard let kind = CatalogedPackage.Kind(rawValue: try reader.string()) else { throw CompactReader.Damaged() }
                let name = try reader.string()
                let version = try reader.string()
                let purlType = try reader.string()
                let purlNamespace = try reader.optionalString()
                let purlName = try reader.string()
                let purlVersion = try reader.optionalString()
                var qualifiers: [String: String] = [:]
                for (key, value) in try reader.list({ reader in (try reader.string(), try reader.string()) }) ?? [] {
                    qualifiers[key] = value
                }
                let purl = PackageURL(
                    type: purlType, namespace: purlNamespace, name: purlName, version: purlVersion, qualifiers: qualifiers,
                    subpath: try reader.optionalString())
                let sourceName = try reader.optionalString()
                let sourceVersion = try reader.optionalString()
                let ecosystem = try reader.optionalString()
                let licenses = try reader.list { reader in try reader.string() } ?? []
                let location = CatalogedPackage.Location(layer: try readLayer(&reader), path: try reader.string())
                return CatalogedPackage(
                    kind: kind, name: name, version: version, purl: purl, sourceName: sourceName,
                    sourceVersion: sourceVersion, ecosystem: ecosystem, licenses: licenses, location: location)
            }
            let skips = try reader.list { reader in
                CatalogSkip(path: try reader.string(), layer: try readLayer(&reader), reason: try reader.string())
            }
            let cataloged = try reader.list { reader in try reader.string() }
            let whiteouts = try reader.list { reader in try reader.string() }
            let opaqueDirectories = try reader.list { reader in try reader.string() }
            var osRelease: [String: OSReleaseEntry] = [:]
            for (path, entry) in try reader.list({ reader -> (String, OSReleaseEntry) in
                let path = try reader.string()
                switch try reader.count() {
                case 0: return (path, .file(try reader.string()))
                case 1: return (path, .symlink(try reader.string()))
                default: throw CompactReader.Damaged()
                }
            }) ?? [] {
                osRelease[path] = entry
            }
            return LayerCatalog(
                layer: layer, packages: packages ?? [], skips: skips ?? [], cataloged: cataloged ?? [],
                whiteouts: whiteouts ?? [], opaqueDirectories: opaqueDirectories ?? [], osRelease: osRelease)
        }
    }

    private func writeLayer(_ digest: Digest?, to writer: inout CompactWriter) {
        guard let digest else { return writer.count(0) }
        if digest == layer { return writer.count(1) }
        writer.count(2)
        writer.string(digest.description)
    }
}
