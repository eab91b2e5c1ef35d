// SPDX-License-Identifier: Apache-2.0
public import Foundation
import Layout

/// An OpenVEX document: statements saying whether products are affected by vulnerabilities.
/// `not_affected` and `fixed` statements suppress the findings they cover; `affected` and
/// `under_investigation` ones suppress nothing. A later statement about the same vulnerability and
/// product overrides an earlier one (the spec's document order, or the statements' timestamps).
///
/// Spec: https://github.com/openvex/spec (v0.2.0; the v0.0.x shapes, a vulnerability as a string and
/// products as strings, are read too).
public struct VEXDocument: Sendable {
    public enum Status: String, Sendable {
        case notAffected = "not_affected"
        case affected
        case fixed
        case underInvestigation = "under_investigation"
    }

    public struct Statement: Sendable {
        /// Its position in the document (0-based).
        public var index: Int
        /// The vulnerability's name (`CVE-…`) and aliases.
        public var vulnerabilities: [String]
        /// Product identifiers: purls, image digests (`sha256:…`, `pkg:oci/…@sha256:…`, `REF@sha256:…`).
        public var products: [Product]
        public var status: Status
        public var justification: String?
        public var impactStatement: String?
        public var timestamp: Date?
    }

    /// A product and the subcomponents (packages) the statement is limited to.
    public struct Product: Sendable {
        public var id: String
        public var subcomponents: [String]
    }

    /// The file, for reports.
    public var source: String
    public var statements: [Statement]

    /// Reads an OpenVEX JSON file.
    /// - Throws: `ScanError.invalidInput` for a file that is not OpenVEX (no `statements`, a statement
    ///   without a vulnerability, products or a known status).
    public static func load(path: String) throws -> VEXDocument {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ScanError.invalidInput(what: path, reason: "cannot read the VEX document")
        }
        return try parse(data, source: path)
    }

    public static func parse(_ data: Data, source: String) throws -> VEXDocument {
        guard data.count <= 64 << 20 else { throw ScanError.inputTooLarge(what: source, size: data.count, limit: 64 << 20) }
        guard let root = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw ScanError.invalidInput(what: source, reason: "not a JSON object (an OpenVEX document)")
        }
        guard let items = root["statements"] as? [Any] else {
            throw ScanError.invalidInput(what: source, reason: "no \"statements\" list: not an OpenVEX document")
        }
        var statements: [Statement] = []
        for (index, item) in items.enumerated() {
            let place = "\(source): statement \(index + 1)"
            guard let map = item as? [String: Any] else { throw ScanError.invalidInput(what: place, reason: "not an object") }
            var names: [String] = []
            if let text = map["vulnerability"] as? String {
                names.append(text)
            } else if let vulnerability = map["vulnerability"] as? [String: Any] {
                if let name = vulnerability["name"] as? String { names.append(name) }
                if let id = vulnerability["@id"] as? String { names.append(id) }
                names += (vulnerability["aliases"] as? [String]) ?? []
            }
            guard !names.isEmpty else { throw ScanError.invalidInput(what: place, reason: "no vulnerability name") }
            let topSubcomponents = identifiers(map["subcomponents"])
            var products: [Product] = []
            for product in (map["products"] as? [Any]) ?? [] {
                if let id = product as? String {
                    products.append(Product(id: id, subcomponents: topSubcomponents))
                } else if let object = product as? [String: Any] {
                    var ids = identifiers([object])
                    if let purl = (object["identifiers"] as? [String: Any])?["purl"] as? String { ids.append(purl) }
                    let subcomponents = identifiers(object["subcomponents"]) + topSubcomponents
                    products += ids.map { Product(id: $0, subcomponents: subcomponents) }
                }
            }
            guard !products.isEmpty else { throw ScanError.invalidInput(what: place, reason: "no products") }
            guard let statusText = map["status"] as? String, let status = Status(rawValue: statusText) else {
                throw ScanError.invalidInput(
                    what: place, reason: "status must be not_affected, affected, fixed or under_investigation")
            }
            statements.append(
                Statement(
                    index: index, vulnerabilities: names, products: products, status: status,
                    justification: map["justification"] as? String, impactStatement: map["impact_statement"] as? String,
                    timestamp: (map["timestamp"] as? String).flatMap(VulnerabilityDatabase.parseTimestamp)))
        }
        return VEXDocument(source: source, statements: statements)
    }

    /// `@id`s of a list of products or subcomponents (objects or strings).
    private static func identifiers(_ value: Any?) -> [String] {
        ((value as? [Any]) ?? []).compactMap { item in
            if let text = item as? String { return text }
            guard let object = item as? [String: Any] else { return nil }
            return (object["@id"] as? String) ?? ((object["identifiers"] as? [String: Any])?["purl"] as? String)
        }
    }

    /// The statement that decides `finding` in `target`: the latest (by timestamp, then document order)
    /// naming one of its ids and a product covering its package.
    public func statement(for finding: Finding, target: ScanTarget) -> Statement? {
        let names = Set(finding.names)
        let covering = statements.filter { statement in
            statement.vulnerabilities.contains { names.contains($0) }
                && statement.products.contains { Self.covers($0, finding.package, target) }
        }
        return covering.max { a, b in
            switch (a.timestamp, b.timestamp) {
            case (let x?, let y?) where x != y: return x < y
            default: return a.index < b.index
            }
        }
    }

    /// Whether a product names the package (by purl), or the scanned image (by digest) with the package
    /// among its subcomponents, or without subcomponents (the whole image).
    static func covers(_ product: Product, _ package: Finding.Package, _ target: ScanTarget) -> Bool {
        if let digest = imageDigest(product.id) {
            guard [target.manifest?.description, target.index?.description].contains(digest) else { return false }
            return product.subcomponents.isEmpty
                || product.subcomponents.contains { IgnoreList.package($0, matches: package) }
        }
        return PackageURL(product.id) != nil && IgnoreList.package(product.id, matches: package)
    }

    /// The image digest a product id names: `sha256:…`, `pkg:oci/NAME@sha256:…`, `REF@sha256:…`.
    static func imageDigest(_ id: String) -> String? {
        if let purl = PackageURL(id) {
            guard purl.type == "oci", let version = purl.version, version.hasPrefix("sha256:") else { return nil }
            return version
        }
        if id.hasPrefix("sha256:") { return id }
        if let at = id.range(of: "@sha256:") { return String(id[id.index(after: at.lowerBound)...]) }
        return nil
    }
}
