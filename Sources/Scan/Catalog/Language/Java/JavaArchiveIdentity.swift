// SPDX-License-Identifier: Apache-2.0
import Foundation

/// What names a Java archive: the `pom.properties` Maven writes into it, else its manifest and file name (the
/// order syft uses).
///
/// Spec: https://maven.apache.org/shared/maven-archiver/ (META-INF/maven/GROUP/ARTIFACT/pom.properties) and
/// https://docs.oracle.com/en/java/javase/21/docs/specs/jar/jar.html (MANIFEST.MF main attributes).
struct JavaArchiveIdentity: Hashable, Sendable {
    var groupID: String?
    var artifactID: String
    var version: String
    var licenses: [String] = []

    /// `groupId:artifactId` (OSV's Maven package names), or the artifact alone when the group is unknown.
    var name: String { groupID.map { "\($0):\(artifactID)" } ?? artifactID }

    /// `pkg:maven/GROUP/ARTIFACT@VERSION`.
    var purl: PackageURL { PackageURL(type: "maven", namespace: groupID, name: artifactID, version: version) }

    /// The coordinates of a pom.properties file; nil when one of groupId, artifactId, version is missing.
    init?(pomProperties text: String) {
        var values: [String: String] = [:]
        for rawLine in text.split(whereSeparator: \.isNewline) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            guard !line.isEmpty, !line.hasPrefix("#"), !line.hasPrefix("!"),
                let separator = line.firstIndex(where: { $0 == "=" || $0 == ":" })
            else { continue }
            let key = line[..<separator].trimmingCharacters(in: .whitespaces)
            values[key] = line[line.index(after: separator)...].trimmingCharacters(in: .whitespaces)
        }
        guard let group = values["groupId"], !group.isEmpty, let artifact = values["artifactId"], !artifact.isEmpty,
            let version = values["version"], !version.isEmpty
        else { return nil }
        self.init(groupID: group, artifactID: artifact, version: version)
    }

    init(groupID: String?, artifactID: String, version: String, licenses: [String] = []) {
        self.groupID = groupID
        self.artifactID = artifactID
        self.version = version
        self.licenses = licenses
    }

    /// An archive without pom.properties, named by its file name (`commons-io-2.11.0.jar`) and manifest: the
    /// name from the file name else `Implementation-Title`/`Bundle-SymbolicName`; the version from the file name
    /// else `Implementation-Version`, `Specification-Version`, `Bundle-Version`; the group only from
    /// `Implementation-Vendor-Id` (a guess from other fields would match the wrong advisories).
    init?(manifest: HeaderFields?, fileName: String) {
        let (fileArtifact, fileVersion) = Self.split(fileName: fileName)
        let symbolicName = manifest?.first("Bundle-SymbolicName")?.split(separator: ";").first.map(String.init)
        guard
            let artifact = fileArtifact ?? manifest?.first("Implementation-Title") ?? symbolicName,
            let version = fileVersion ?? manifest?.first("Implementation-Version")
                ?? manifest?.first("Specification-Version") ?? manifest?.first("Bundle-Version")
        else { return nil }
        self.init(
            groupID: manifest?.first("Implementation-Vendor-Id"), artifactID: artifact, version: version,
            licenses: manifest?.first("Bundle-License").map { [$0] } ?? [])
    }

    /// `guava-31.1-jre.jar` → (`guava`, `31.1-jre`): the version begins at the last `-` followed by a digit.
    static func split(fileName: String) -> (name: String?, version: String?) {
        let base = fileName.split(separator: "/").last.map(String.init) ?? fileName
        guard let dot = base.lastIndex(of: ".") else { return (base.isEmpty ? nil : base, nil) }
        let stem = base[..<dot]
        var cut: String.Index?
        var index = stem.startIndex
        while let dash = stem[index...].firstIndex(of: "-") {
            let next = stem.index(after: dash)
            if next < stem.endIndex, stem[next].isNumber { cut = dash }
            index = next
        }
        guard let cut, cut > stem.startIndex else { return (stem.isEmpty ? nil : String(stem), nil) }
        return (String(stem[..<cut]), String(stem[stem.index(after: cut)...]))
    }
}
