// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
import Scan
import Testing

/// SPDX 2.3 and CycloneDX 1.5 documents: valid by the ecosystems' own validators (spdx-tools,
/// cyclonedx-python-lib's strict schema), deterministic, and carrying what a user looks for in them.
@Suite("Scan: SBOM documents")
struct SBOMDocumentTests {
    typealias F = ScanImageFixtures
    static let validator = Oracle.repositoryRoot + "/Tests/interop/sbom_validate.py"
    static let created = Date(timeIntervalSince1970: 1_700_000_000)

    /// A Debian image with packages in two layers (one file rewritten), an apk database, licenses of each shape.
    static func catalog() throws -> ImageCatalog {
        let layout = try F.makeLayout()
        let image = try F.pushImage(
            layout,
            layers: [
                try F.layer([.file("etc/os-release", F.debianOSRelease), .file("var/lib/dpkg/status", F.dpkgStatus)]),
                try F.layer([
                    .file("lib/apk/db/installed", F.apkInstalled + "\nP:odd\nV:1-r0\nL:MIT BSD-2-Clause\n\nP:weird\nV:2-r0\nL:GPL v2 or later, see COPYING\n\n")
                ]),
            ], tag: "1")
        return try #require(try ImageCataloger().catalog(image, in: LayoutEndpoint(layout)).first)
    }

    static func validate(_ kind: String, _ data: Data) throws -> String {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("sbom-\(UUID().uuidString).json")
        try data.write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Oracle.venvPython)
        process.arguments = [validator, kind, file.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus == 0 ? "" : "FAILED ") + output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test(.enabled(if: Oracle.hasVenv, "needs .venv-test: \(Oracle.hint)"))
    func spdxIsValidBySPDXTools() throws {
        let catalog = try Self.catalog()
        let data = try SPDXDocument.encode(catalog, subject: SBOMSubject(name: "app:1", created: Self.created, toolVersion: "0.1.0"))
        // The image and its 8 packages (3 deb, 5 apk).
        let verdict = try Self.validate("spdx", data)
        #expect(verdict == "ok 9", "\(verdict)")
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(json["spdxVersion"] as? String == "SPDX-2.3")
        #expect((json["creationInfo"] as? [String: Any])?["created"] as? String == "2023-11-14T22:13:20Z")
        let packages = try #require(json["packages"] as? [[String: Any]])
        let libc = try #require(packages.first { $0["name"] as? String == "libc6" })
        #expect(libc["versionInfo"] as? String == "2.36-9+deb12u4")
        #expect(libc["licenseDeclared"] as? String == "NOASSERTION")
        #expect((libc["sourceInfo"] as? String)?.contains("/var/lib/dpkg/status") == true)
        #expect((libc["sourceInfo"] as? String)?.contains(catalog.layers[0].description) == true)
        let refs = try #require(libc["externalRefs"] as? [[String: Any]])
        #expect(refs.first?["referenceLocator"] as? String == "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12&upstream=glibc")
        let odd = try #require(packages.first { $0["name"] as? String == "odd" })
        #expect(odd["licenseDeclared"] as? String == "MIT AND BSD-2-Clause")
        let weird = try #require(packages.first { $0["name"] as? String == "weird" })
        #expect(weird["licenseDeclared"] as? String == "NOASSERTION")
        let relationships = try #require(json["relationships"] as? [[String: Any]])
        #expect(relationships.filter { $0["relationshipType"] as? String == "CONTAINS" }.count == 8)
        #expect(relationships.filter { $0["relationshipType"] as? String == "DESCRIBES" }.count == 1)
    }

    @Test(.enabled(if: Oracle.hasVenv, "needs .venv-test: \(Oracle.hint)"))
    func cycloneDXIsValidByTheStrictSchema() throws {
        let catalog = try Self.catalog()
        let data = try CycloneDXDocument.encode(catalog, subject: SBOMSubject(name: "app:1", created: Self.created, toolVersion: "0.1.0"))
        let verdict = try Self.validate("cyclonedx", data)
        #expect(verdict == "ok", "\(verdict)")
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(json["specVersion"] as? String == "1.5")
        let metadata = try #require(json["metadata"] as? [String: Any])
        #expect((metadata["component"] as? [String: Any])?["type"] as? String == "container")
        let components = try #require(json["components"] as? [[String: Any]])
        #expect(components.count == 8)
        let ssl = try #require(components.first { $0["name"] as? String == "libssl3" })
        let properties = try #require(ssl["properties"] as? [[String: String]])
        let values = Dictionary(properties.map { ($0["name"]!, $0["value"]!) }, uniquingKeysWith: { a, _ in a })
        #expect(values["ocitool:layer"] == catalog.layers[0].description)
        #expect(values["ocitool:path"] == "/var/lib/dpkg/status")
        #expect(values["ocitool:source-name"] == "openssl" && values["ocitool:source-version"] == "3.0.11-1~deb12u1")
        #expect(values["ocitool:ecosystem"] == "Debian:12")
        let busybox = try #require(components.first { $0["name"] as? String == "busybox" })
        #expect((busybox["licenses"] as? [[String: Any]])?.first?["expression"] as? String == "GPL-2.0-only")
        // apk packages in a Debian image keep their own namespace and get no (Debian) ecosystem.
        #expect(busybox["purl"] as? String == "pkg:apk/alpine/busybox@1.36.1-r15?arch=x86_64")
        let busyboxProperties = try #require(busybox["properties"] as? [[String: String]])
        #expect(!busyboxProperties.contains { $0["name"] == "ocitool:ecosystem" })
    }

    @Test func sameImageSameBytesAndSourceDateEpoch() throws {
        let first = try Self.catalog()
        let second = try Self.catalog()  // built again from scratch: another layout, same content
        let subject = SBOMSubject(name: "app:1", created: SBOMSubject.creationTime(environment: ["SOURCE_DATE_EPOCH": "1700000000"]), toolVersion: "0.1.0")
        #expect(subject.created == Self.created)
        #expect(try SPDXDocument.encode(first, subject: subject) == (try SPDXDocument.encode(second, subject: subject)))
        #expect(try CycloneDXDocument.encode(first, subject: subject) == (try CycloneDXDocument.encode(second, subject: subject)))
        var later = subject
        later.created = Self.created.addingTimeInterval(60)
        #expect(try SPDXDocument.encode(first, subject: subject) != (try SPDXDocument.encode(first, subject: later)))
    }

    @Test func tableListsEveryPackageWithItsPath() throws {
        let text = SBOMTable.render(try Self.catalog())
        let lines = text.split(separator: "\n")
        #expect(lines.first?.hasPrefix("NAME") == true)
        #expect(lines.contains { $0.hasPrefix("libssl3 ") && $0.contains("openssl (3.0.11-1~deb12u1)") && $0.hasSuffix("/var/lib/dpkg/status") })
        #expect(lines.last == "8 packages on Debian GNU/Linux 12 (bookworm)")
    }
}
