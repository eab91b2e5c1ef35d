// SPDX-License-Identifier: Apache-2.0

/// Alpine packages: `lib/apk/db/installed` (apk's installed database: one paragraph per package, one-letter
/// keys), with the origin (`o:`, the source package OSV's Alpine records name) and the license (`L:`).
public struct APKCataloger: Cataloger {
    /// Largest database read.
    public static let limit = 64 << 20

    public init() {}

    public var kind: CatalogedPackage.Kind { .apk }

    public func wants(_ entry: CatalogEntry) -> Bool {
        entry.path == "lib/apk/db/installed"
    }

    public func catalog(_ file: inout CatalogFile, context: CatalogContext, skips: inout [CatalogSkip]) throws
        -> [CatalogedPackage]
    {
        let text = String(decoding: try file.readAll(limit: Self.limit), as: UTF8.self)
        var malformed: [Int] = []
        let paragraphs = ControlParagraphs.parse(text, continuation: false) { (line, _) in malformed.append(line) }
        if !malformed.isEmpty {
            skips.append(
                CatalogSkip(
                    path: file.path, layer: file.layer,
                    reason: "\(malformed.count) malformed line(s) ignored (first at line \(malformed[0]))"))
        }
        var packages: [CatalogedPackage] = []
        for paragraph in paragraphs {
            guard let name = paragraph["P"], !name.isEmpty, let version = paragraph["V"], !version.isEmpty else {
                skips.append(
                    CatalogSkip(
                        path: file.path, layer: file.layer, reason: "entry at line \(paragraph.line) has no P: or V:"))
                continue
            }
            let origin = paragraph["o"].flatMap { $0.isEmpty ? nil : $0 }
            var qualifiers: [String: String] = [:]
            if let arch = paragraph["A"] { qualifiers["arch"] = arch }
            if let origin, origin != name { qualifiers["upstream"] = origin }
            let purl = PackageURL(
                type: "apk", namespace: context.distro?.purlNamespace ?? "alpine", name: name, version: version,
                qualifiers: qualifiers)
            let license = paragraph["L"].flatMap { $0.isEmpty ? nil : $0 }
            packages.append(
                CatalogedPackage(
                    kind: .apk, name: name, version: version, purl: purl, sourceName: origin, sourceVersion: nil,
                    ecosystem: context.distro?.osvEcosystem, licenses: license.map { [$0] } ?? [],
                    location: file.location))
        }
        return packages
    }
}
