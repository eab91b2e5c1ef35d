// SPDX-License-Identifier: Apache-2.0
public import Foundation
public import Layout

/// Reads the packages of an SBOM for `scan --sbom`: SPDX 2.3 JSON and CycloneDX JSON, as ocitool,
/// syft and trivy write them. Packages come from their purls; Debian and Alpine source names from the
/// purl's `upstream` qualifier (syft) or trivy's `SrcName`/`SrcVersion` properties; the ecosystem from the
/// `distro` qualifier as the catalogers derive it (`Distro.osvEcosystem`); the layer and path
/// from syft's and trivy's location properties (or SPDX `sourceInfo`).
public enum SBOMReader {
    /// An SBOM's packages, and those that cannot be matched (no purl, a purl type without an OSV
    /// ecosystem here), each as `name: reason`.
    public struct Contents: Sendable {
        public var format: String
        public var packages: [CatalogedPackage]
        public var unsupported: [String]
    }

    /// The largest SBOM read (a big image's SBOM is a few MiB).
    public static let sizeLimit = 256 << 20

    /// - Throws: `ScanError.invalidInput` for a file that is neither SPDX JSON nor CycloneDX JSON,
    ///   `.inputTooLarge` past `sizeLimit`.
    public static func read(path: String) throws -> Contents {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        let size = (attributes?[.size] as? NSNumber)?.intValue ?? 0
        guard size <= sizeLimit else { throw ScanError.inputTooLarge(what: path, size: size, limit: sizeLimit) }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ScanError.invalidInput(what: path, reason: "cannot read the SBOM")
        }
        guard let root = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw ScanError.invalidInput(what: path, reason: "not a JSON object: SPDX JSON or CycloneDX JSON expected")
        }
        if root["spdxVersion"] is String { return spdx(root) }
        if (root["bomFormat"] as? String) == "CycloneDX" { return cycloneDX(root) }
        throw ScanError.invalidInput(what: path, reason: "neither SPDX JSON (spdxVersion) nor CycloneDX JSON (bomFormat)")
    }

    private static func spdx(_ root: [String: Any]) -> Contents {
        var contents = Contents(format: "SPDX \(root["spdxVersion"] ?? "")", packages: [], unsupported: [])
        for case let item as [String: Any] in (root["packages"] as? [Any]) ?? [] {
            let name = (item["name"] as? String) ?? "?"
            let refs = (item["externalRefs"] as? [[String: Any]]) ?? []
            guard let locator = refs.first(where: { ($0["referenceType"] as? String) == "purl" })?["referenceLocator"] as? String
            else {
                // The image or file entries of an SPDX document are no packages to match.
                if item["versionInfo"] != nil, (item["primaryPackagePurpose"] as? String) != "CONTAINER" {
                    contents.unsupported.append("\(name): no purl")
                }
                continue
            }
            var path = ""
            if let info = item["sourceInfo"] as? String, let colon = info.range(of: ": ", options: .backwards) {
                path = String(info[colon.upperBound...].split(separator: ",").first ?? "").trimmingCharacters(in: .whitespaces)
            }
            add(locator, properties: [:], path: path, layer: nil, to: &contents)
        }
        return contents
    }

    private static func cycloneDX(_ root: [String: Any]) -> Contents {
        var contents = Contents(format: "CycloneDX \(root["specVersion"] ?? "")", packages: [], unsupported: [])
        func visit(_ items: [Any]) {
            for case let item as [String: Any] in items {
                defer { visit((item["components"] as? [Any]) ?? []) }
                let type = item["type"] as? String
                guard type == "library" || type == "application" || type == "framework" || type == nil else { continue }
                guard let purl = item["purl"] as? String else {
                    if type == "library" { contents.unsupported.append("\((item["name"] as? String) ?? "?"): no purl") }
                    continue
                }
                var properties: [String: String] = [:]
                for case let property as [String: Any] in (item["properties"] as? [Any]) ?? [] {
                    if let name = property["name"] as? String, let value = property["value"] as? String,
                        properties[name] == nil
                    {
                        properties[name] = value
                    }
                }
                var path = ""
                var layer: Digest?
                for (name, value) in properties.sorted(by: { $0.key < $1.key }) {
                    let last = name.split(separator: ":").last.map(String.init) ?? name
                    if path.isEmpty, ["path", "FilePath"].contains(last) { path = value }
                    if layer == nil, ["layerID", "LayerDigest", "layer", "layerDigest"].contains(last) {
                        layer = try? Digest(value)
                    }
                }
                add(purl, properties: properties, path: path, layer: layer, to: &contents)
            }
        }
        visit((root["components"] as? [Any]) ?? [])
        return contents
    }

    /// A package from its purl (and trivy's source properties), or an `unsupported` line.
    static func add(
        _ text: String, properties: [String: String], path: String, layer: Digest?, to contents: inout Contents
    ) {
        guard let purl = PackageURL(text), let version = purl.version else {
            contents.unsupported.append("\(text): not a purl with a version")
            return
        }
        let location = CatalogedPackage.Location(layer: layer, path: path.hasPrefix("/") ? String(path.dropFirst()) : path)
        var sourceName: String?
        var sourceVersion: String?
        if let upstream = purl.qualifiers["upstream"] {
            let parts = upstream.split(separator: "@", maxSplits: 1)
            sourceName = parts.first.map(String.init)
            if parts.count == 2 { sourceVersion = String(parts[1]) }
        }
        if let name = properties["aquasecurity:trivy:SrcName"] { sourceName = name }
        if let srcVersion = properties["aquasecurity:trivy:SrcVersion"] {
            var full = srcVersion
            if let release = properties["aquasecurity:trivy:SrcRelease"], !release.isEmpty { full += "-" + release }
            if let epoch = properties["aquasecurity:trivy:SrcEpoch"], epoch != "0", !epoch.isEmpty { full = epoch + ":" + full }
            sourceVersion = full
        }
        let distro = purl.qualifiers["distro"]
        let kind: CatalogedPackage.Kind
        var name = purl.name
        var fullVersion = version
        let ecosystem: String?
        switch purl.type {
        case "deb":
            kind = .deb
            if let epoch = purl.qualifiers["epoch"], epoch != "0", !version.contains(":") { fullVersion = "\(epoch):\(version)" }
            ecosystem = Distro(purlQualifier: distro, namespace: purl.namespace)?.osvEcosystem
        case "apk":
            kind = .apk
            ecosystem = Distro(purlQualifier: distro, namespace: purl.namespace)?.osvEcosystem
        case "rpm":
            kind = .rpm
            if let epoch = purl.qualifiers["epoch"], epoch != "0", !version.contains(":") { fullVersion = "\(epoch):\(version)" }
            ecosystem =
                Distro(purlQualifier: distro, namespace: purl.namespace)?.osvEcosystem
                ?? (purl.namespace == "redhat" ? "Red Hat" : nil)
        case "pypi":
            kind = .python
            ecosystem = "PyPI"
        case "npm":
            kind = .npm
            if let namespace = purl.namespace { name = "\(namespace)/\(purl.name)" }
            ecosystem = "npm"
        case "golang":
            kind = .go
            if let namespace = purl.namespace { name = "\(namespace)/\(purl.name)" }
            ecosystem = "Go"
        case "maven":
            kind = .java
            if let namespace = purl.namespace { name = "\(namespace):\(purl.name)" }
            ecosystem = "Maven"
        default:
            contents.unsupported.append("\(text): purl type \"\(purl.type)\" has no OSV ecosystem here")
            return
        }
        contents.packages.append(
            CatalogedPackage(
                kind: kind, name: name, version: fullVersion, purl: purl, sourceName: sourceName,
                sourceVersion: sourceVersion, ecosystem: ecosystem, location: location))
    }
}

extension Distro {
    /// The distro a purl's `distro` qualifier names: `debian-12`, `alpine-3.18.4`, `rhel-9.3` (syft), or a
    /// bare version such as trivy's `3.18.4` (the purl's namespace is then the id).
    init?(purlQualifier: String?, namespace: String?) {
        guard let text = purlQualifier, !text.isEmpty else { return nil }
        if let dash = text.lastIndex(of: "-"), text[text.index(after: dash)...].first?.isNumber == true {
            self.init(id: String(text[..<dash]), versionID: String(text[text.index(after: dash)...]), prettyName: nil)
        } else if text.first?.isNumber == true, let namespace {
            self.init(id: namespace == "redhat" ? "rhel" : namespace, versionID: text, prettyName: nil)
        } else {
            return nil
        }
    }
}
