// SPDX-License-Identifier: Apache-2.0
public import Layout

/// One package found in an image's filesystem (or read back from an SBOM): what an SBOM lists and
/// what vulnerability matching looks up.
public struct CatalogedPackage: Codable, Hashable, Sendable {
    /// The cataloger that found it; also the purl type family.
    public enum Kind: String, Codable, Hashable, Sendable, CaseIterable {
        case deb, apk, rpm, python, npm, go, java
    }

    public var kind: Kind
    public var name: String
    public var version: String
    /// The package's purl (`pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64&distro=debian-12`).
    public var purl: PackageURL
    /// The source package it was built from, where the format records one: dpkg `Source:`, apk
    /// origin (`o:`), rpm source RPM name. OSV's Debian and Alpine records are keyed by it.
    public var sourceName: String?
    /// The source package's version when it differs from `version` (dpkg `Source: name (version)`).
    public var sourceVersion: String?
    /// The OSV ecosystem to match against (`Debian:12`, `Alpine:v3.19`, `PyPI`, `npm`, `Go`, `Maven`,
    /// `Red Hat`, …); nil when none applies (e.g. a distro OSV has no records for).
    public var ecosystem: String?
    /// Declared licenses, as written (SPDX expressions where the package gives one).
    public var licenses: [String]
    /// Where it was found.
    public var location: Location

    /// The layer and the path (inside the image's filesystem, no leading `/`) a package came from.
    public struct Location: Codable, Hashable, Sendable {
        /// The digest of the layer blob (as the manifest lists it) that holds the file.
        public var layer: Digest?
        public var path: String

        public init(layer: Digest?, path: String) {
            self.layer = layer
            self.path = path
        }
    }

    public init(
        kind: Kind,
        name: String,
        version: String,
        purl: PackageURL,
        sourceName: String? = nil,
        sourceVersion: String? = nil,
        ecosystem: String?,
        licenses: [String] = [],
        location: Location
    ) {
        self.kind = kind
        self.name = name
        self.version = version
        self.purl = purl
        self.sourceName = sourceName
        self.sourceVersion = sourceVersion
        self.ecosystem = ecosystem
        self.licenses = licenses
        self.location = location
    }
}

extension PackageURL: Codable {
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let purl = PackageURL(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a purl: \(text)"))
        }
        self = purl
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
