// SPDX-License-Identifier: Apache-2.0
public import Foundation
import Layout

/// An SPDX 2.3 JSON document for one image catalog: the image is the package the document DESCRIBES, and it
/// CONTAINS every cataloged package (name, version, purl, declared license or NOASSERTION, and the layer and
/// path it was found at in `sourceInfo`). SPDXIDs derive from content, keys are sorted: the same catalog and
/// creation time give the same bytes.
///
/// Spec: https://spdx.github.io/spdx-spec/v2.3/
public enum SPDXDocument {
    public static let mediaType = "application/spdx+json"

    public static func encode(_ catalog: ImageCatalog, subject: SBOMSubject) throws -> Data {
        let packages = SBOMSupport.uniquePackages(catalog)
        let imageID = "SPDXRef-Image-" + SBOMSupport.id(catalog.manifest.digest.description)
        var elements: [Package] = []
        var relationships = [Relationship(spdxElementId: "SPDXRef-DOCUMENT", relationshipType: "DESCRIBES", relatedSpdxElement: imageID)]
        var image = Package(
            SPDXID: imageID, name: subject.name, versionInfo: catalog.manifest.digest.description,
            licenseDeclared: "NOASSERTION",
            externalRefs: [ExternalRef(purl: SBOMSupport.imagePURL(catalog, name: subject.name).description)],
            sourceInfo: nil, primaryPackagePurpose: "CONTAINER", comment: nil)
        var notes = ["layers: " + catalog.layers.map(\.description).joined(separator: " ")]
        if let distro = catalog.distro {
            notes.append("distro: \(distro.id)" + (distro.versionID.map { " \($0)" } ?? ""))
        }
        image.comment = notes.joined(separator: "; ")
        elements.append(image)
        for package in packages {
            let id = "SPDXRef-Package-\(package.kind.rawValue)-" + SBOMSupport.id(SBOMSupport.key(package))
            let location = "layer \(package.location.layer?.description ?? "unknown") path /\(package.location.path)"
            elements.append(
                Package(
                    SPDXID: id, name: package.name, versionInfo: package.version,
                    licenseDeclared: SBOMSupport.expression(package.licenses) ?? "NOASSERTION",
                    externalRefs: [ExternalRef(purl: package.purl.description)],
                    sourceInfo: "found in \(location)", primaryPackagePurpose: nil,
                    comment: package.licenses.isEmpty || SBOMSupport.expression(package.licenses) != nil
                        ? nil : "declared license: " + package.licenses.joined(separator: "; ")))
            relationships.append(Relationship(spdxElementId: imageID, relationshipType: "CONTAINS", relatedSpdxElement: id))
        }
        let namespaceID = SBOMSupport.id(subject.name, catalog.manifest.digest.description, subject.timestamp)
        let document = Document(
            name: subject.name,
            documentNamespace: "https://ocitool.invalid/spdx/\(catalog.manifest.digest.encoded)-\(namespaceID)",
            creationInfo: CreationInfo(created: subject.timestamp, creators: ["Tool: ocitool-\(subject.toolVersion)"]),
            packages: elements, relationships: relationships)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return try encoder.encode(document) + Data("\n".utf8)
    }

    struct Document: Encodable {
        var spdxVersion = "SPDX-2.3"
        var dataLicense = "CC0-1.0"
        var SPDXID = "SPDXRef-DOCUMENT"
        var name: String
        var documentNamespace: String
        var creationInfo: CreationInfo
        var packages: [Package]
        var relationships: [Relationship]
    }

    struct CreationInfo: Encodable {
        var created: String
        var creators: [String]
    }

    struct Package: Encodable {
        var SPDXID: String
        var name: String
        var versionInfo: String
        var downloadLocation = "NOASSERTION"
        var filesAnalyzed = false
        var licenseConcluded = "NOASSERTION"
        var licenseDeclared: String
        var copyrightText = "NOASSERTION"
        var externalRefs: [ExternalRef]
        var sourceInfo: String?
        var primaryPackagePurpose: String?
        var comment: String?

        init(
            SPDXID: String, name: String, versionInfo: String, licenseDeclared: String, externalRefs: [ExternalRef],
            sourceInfo: String?, primaryPackagePurpose: String?, comment: String?
        ) {
            self.SPDXID = SPDXID
            self.name = name
            self.versionInfo = versionInfo
            self.licenseDeclared = licenseDeclared
            self.externalRefs = externalRefs
            self.sourceInfo = sourceInfo
            self.primaryPackagePurpose = primaryPackagePurpose
            self.comment = comment
        }
    }

    struct ExternalRef: Encodable {
        var referenceCategory = "PACKAGE-MANAGER"
        var referenceType = "purl"
        var referenceLocator: String

        init(purl: String) { referenceLocator = purl }
    }

    struct Relationship: Encodable {
        var spdxElementId: String
        var relationshipType: String
        var relatedSpdxElement: String
    }
}
