// SPDX-License-Identifier: Apache-2.0
public import Foundation
import Layout

/// A CycloneDX 1.5 JSON BOM for one image catalog: the image is `metadata.component` (type `container`), each
/// package a `library` component with its purl, licenses (an SPDX expression where they form one, else names)
/// and where it was found as properties (`ocitool:layer`, `ocitool:path`, `ocitool:kind`, and the source
/// package as `ocitool:source-name`/`ocitool:source-version`). bom-refs and the serial number derive from
/// content, keys are sorted: the same catalog and creation time give the same bytes.
///
/// Spec: https://cyclonedx.org/docs/1.5/json/
public enum CycloneDXDocument {
    public static let mediaType = "application/vnd.cyclonedx+json"

    public static func encode(_ catalog: ImageCatalog, subject: SBOMSubject) throws -> Data {
        let packages = SBOMSupport.uniquePackages(catalog)
        let imageRef = "image-" + SBOMSupport.id(catalog.manifest.digest.description)
        var imageProperties = catalog.layers.enumerated().map { Property(name: "ocitool:layer:\($0.offset)", value: $0.element.description) }
        if let distro = catalog.distro {
            imageProperties.append(Property(name: "ocitool:distro", value: distro.id + (distro.versionID.map { " \($0)" } ?? "")))
        }
        let image = Component(
            type: "container", bomRef: imageRef, name: subject.name, version: catalog.manifest.digest.description,
            purl: SBOMSupport.imagePURL(catalog, name: subject.name).description, licenses: nil,
            properties: imageProperties)
        var components: [Component] = []
        for package in packages {
            var properties = [
                Property(name: "ocitool:kind", value: package.kind.rawValue),
                Property(name: "ocitool:layer", value: package.location.layer?.description ?? "unknown"),
                Property(name: "ocitool:path", value: "/" + package.location.path),
            ]
            if let source = package.sourceName { properties.append(Property(name: "ocitool:source-name", value: source)) }
            if let version = package.sourceVersion {
                properties.append(Property(name: "ocitool:source-version", value: version))
            }
            if let ecosystem = package.ecosystem { properties.append(Property(name: "ocitool:ecosystem", value: ecosystem)) }
            var licenses: [LicenseChoice]?
            if let expression = SBOMSupport.expression(package.licenses) {
                licenses = [LicenseChoice(expression: expression)]
            } else if !package.licenses.isEmpty {
                licenses = package.licenses.map { LicenseChoice(name: $0) }
            }
            components.append(
                Component(
                    type: "library", bomRef: "pkg-\(package.kind.rawValue)-" + SBOMSupport.id(SBOMSupport.key(package)),
                    name: package.name, version: package.version, purl: package.purl.description, licenses: licenses,
                    properties: properties))
        }
        let hash = Digest.sha256(of: Data(([subject.name, catalog.manifest.digest.description, subject.timestamp]
            + components.map(\.bomRef)).joined(separator: "\u{0}").utf8)).encoded
        let bom = BOM(
            serialNumber: "urn:uuid:" + uuid(fromHex: hash),
            metadata: Metadata(
                timestamp: subject.timestamp,
                tools: Tools(components: [ToolComponent(name: "ocitool", version: subject.toolVersion)]), component: image),
            components: components,
            dependencies: [Dependency(ref: imageRef, dependsOn: components.map(\.bomRef))]
                + components.map { Dependency(ref: $0.bomRef, dependsOn: []) })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return try encoder.encode(bom) + Data("\n".utf8)
    }

    /// A version-5-shaped UUID from hex digits (RFC 4122 version and variant bits set), deterministic.
    static func uuid(fromHex hex: String) -> String {
        var digits = Array(hex.prefix(32))
        digits[12] = "5"
        digits[16] = ["8", "9", "a", "b"][Int(String(digits[16]), radix: 16)! % 4]
        let text = String(digits)
        let cuts = [8, 12, 16, 20]
        var parts: [String] = []
        var start = text.startIndex
        for cut in cuts {
            let end = text.index(text.startIndex, offsetBy: cut)
            parts.append(String(text[start..<end]))
            start = end
        }
        parts.append(String(text[start...]))
        return parts.joined(separator: "-")
    }

    struct BOM: Encodable {
        var bomFormat = "CycloneDX"
        var specVersion = "1.5"
        var serialNumber: String
        var version = 1
        var metadata: Metadata
        var components: [Component]
        var dependencies: [Dependency]
    }

    struct Metadata: Encodable {
        var timestamp: String
        var tools: Tools
        var component: Component
    }

    struct Tools: Encodable {
        var components: [ToolComponent]
    }

    struct ToolComponent: Encodable {
        var type = "application"
        var name: String
        var version: String

        init(name: String, version: String) {
            self.name = name
            self.version = version
        }
    }

    struct Component: Encodable {
        var type: String
        var bomRef: String
        var name: String
        var version: String
        var purl: String
        var licenses: [LicenseChoice]?
        var properties: [Property]

        enum CodingKeys: String, CodingKey {
            case type, name, version, purl, licenses, properties
            case bomRef = "bom-ref"
        }
    }

    struct LicenseChoice: Encodable {
        var expression: String?
        var license: NamedLicense?

        init(expression: String) { self.expression = expression }
        init(name: String) { license = NamedLicense(name: name) }
    }

    struct NamedLicense: Encodable {
        var name: String
    }

    struct Property: Encodable {
        var name: String
        var value: String
    }

    struct Dependency: Encodable {
        var ref: String
        var dependsOn: [String]
    }
}
