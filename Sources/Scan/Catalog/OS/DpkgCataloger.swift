// SPDX-License-Identifier: Apache-2.0

/// Debian packages: `var/lib/dpkg/status`, and the one-file-per-package `var/lib/dpkg/status.d/*` of distroless
/// images. Only installed packages (`Status: … ok installed`; a status.d file without `Status` counts as
/// installed), with `Source:` kept (`Source: name (version)` too) since OSV's Debian records name source packages.
public struct DpkgCataloger: Cataloger {
    /// Largest status file read (Debian's biggest images hold a few MiB).
    public static let limit = 64 << 20

    public init() {}

    public var kind: CatalogedPackage.Kind { .deb }

    public func wants(_ entry: CatalogEntry) -> Bool {
        if entry.path == "var/lib/dpkg/status" { return true }
        guard entry.path.hasPrefix("var/lib/dpkg/status.d/") else { return false }
        let name = entry.path.dropFirst("var/lib/dpkg/status.d/".count)
        return !name.contains("/") && !name.hasSuffix(".md5sums") && !name.hasPrefix(".")
    }

    public func catalog(_ file: inout CatalogFile, context: CatalogContext, skips: inout [CatalogSkip]) throws
        -> [CatalogedPackage]
    {
        let text = String(decoding: try file.readAll(limit: Self.limit), as: UTF8.self)
        let path = file.path
        let layer = file.layer
        let distroless = path != "var/lib/dpkg/status"
        var malformed: [Int] = []
        let paragraphs = ControlParagraphs.parse(text, continuation: true) { (line, _) in malformed.append(line) }
        if !malformed.isEmpty {
            skips.append(
                CatalogSkip(
                    path: path, layer: layer,
                    reason: "\(malformed.count) malformed line(s) ignored (first at line \(malformed[0]))"))
        }
        var packages: [CatalogedPackage] = []
        for paragraph in paragraphs {
            if let status = paragraph["Status"] {
                let words = status.split(separator: " ").map(String.init)
                guard words.count == 3, words[1] == "ok", words[2] == "installed" else { continue }
            } else if !distroless {
                continue
            }
            guard let name = paragraph["Package"], !name.isEmpty, let version = paragraph["Version"], !version.isEmpty
            else {
                skips.append(
                    CatalogSkip(path: path, layer: layer, reason: "paragraph at line \(paragraph.line) has no Package or Version"))
                continue
            }
            var sourceName: String?
            var sourceVersion: String?
            if let source = paragraph["Source"] {
                let parts = source.split(separator: " ", maxSplits: 1)
                sourceName = parts.first.map(String.init)
                if parts.count == 2 {
                    let inner = parts[1].trimmingPrefix("(")
                    let value = inner.hasSuffix(")") ? inner.dropLast() : inner
                    if value != version { sourceVersion = String(value) }
                }
            }
            var qualifiers: [String: String] = [:]
            if let arch = paragraph["Architecture"] { qualifiers["arch"] = arch }
            if let sourceName, sourceName != name || sourceVersion != nil {
                qualifiers["upstream"] = sourceName + (sourceVersion.map { "@" + $0 } ?? "")
            }
            let purl = PackageURL(
                type: "deb", namespace: context.distro?.purlNamespace ?? "debian", name: name, version: version,
                qualifiers: qualifiers)
            packages.append(
                CatalogedPackage(
                    kind: .deb, name: name, version: version, purl: purl, sourceName: sourceName,
                    sourceVersion: sourceVersion, ecosystem: context.distro?.osvEcosystem, licenses: [],
                    location: file.location))
        }
        return packages
    }
}
