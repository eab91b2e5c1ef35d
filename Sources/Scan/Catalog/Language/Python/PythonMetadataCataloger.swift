// SPDX-License-Identifier: Apache-2.0
import Foundation

/// Installed Python distributions: `*.dist-info/METADATA` (wheels), `*.egg-info/PKG-INFO` and `*.egg-info` as a
/// file (eggs, distutils). Only the header block is read: the description body after it, of any size, is not.
///
/// Spec: https://packaging.python.org/en/latest/specifications/core-metadata/ (Name, Version, License,
/// License-Expression, Classifier). Licenses as syft reads them: `License-Expression` (an SPDX expression) when
/// present, else a one-line `License` other than `UNKNOWN`, else the `License ::` classifiers' last parts.
public struct PythonMetadataCataloger: Cataloger {
    /// The most header bytes read before the file counts as hostile and is skipped.
    public var headerLimit: Int

    public init(headerLimit: Int = 1 << 20) {
        self.headerLimit = headerLimit
    }

    public var kind: CatalogedPackage.Kind { .python }

    public func wants(_ entry: CatalogEntry) -> Bool {
        let path = entry.path
        if path.hasSuffix(".dist-info/METADATA") || path.hasSuffix(".egg-info/PKG-INFO") { return true }
        return entry.name.hasSuffix(".egg-info")
    }

    public func catalog(_ file: inout CatalogFile, context: CatalogContext, skips: inout [CatalogSkip]) throws
        -> [CatalogedPackage]
    {
        guard let block = try file.readHeaderBlock(limit: headerLimit) else {
            skips.append(
                CatalogSkip(
                    path: file.path, layer: file.layer,
                    reason: "Python metadata headers run past \(headerLimit) bytes without ending; not read"))
            return []
        }
        let headers = HeaderFields(String(decoding: block, as: UTF8.self), continuation: .rfc822)
        guard let name = headers.first("Name"), let version = headers.first("Version") else {
            skips.append(
                CatalogSkip(path: file.path, layer: file.layer, reason: "Python metadata without Name and Version"))
            return []
        }
        let normalized = Ecosystem.normalizedName(name, ecosystem: "PyPI")
        return [
            CatalogedPackage(
                kind: .python, name: name, version: version,
                purl: PackageURL(type: "pypi", name: normalized, version: version),
                ecosystem: "PyPI", licenses: Self.licenses(headers), location: file.location)
        ]
    }

    static func licenses(_ headers: HeaderFields) -> [String] {
        if let expression = headers.first("License-Expression") { return [expression] }
        if let license = headers.first("License"), !license.contains("\n"), license != "UNKNOWN" { return [license] }
        return headers.all("Classifier").compactMap { classifier in
            let parts = classifier.split(separator: "::").map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count >= 2, parts[0] == "License", let last = parts.last, last != "OSI Approved" else {
                return nil
            }
            return last
        }
    }
}
