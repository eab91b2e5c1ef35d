// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
import Scan
import Testing

@Suite("SBOM input and the database as an artifact")
struct SBOMAndArtifactTests {
    static let syftSPDX = """
        {"spdxVersion": "SPDX-2.3", "dataLicense": "CC0-1.0", "SPDXID": "SPDXRef-DOCUMENT", "name": "app",
         "packages": [
          {"name": "libc6", "SPDXID": "SPDXRef-Package-deb-libc6", "versionInfo": "2.36-9+deb12u1",
           "sourceInfo": "acquired package info from DPKG DB: /var/lib/dpkg/status",
           "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl",
             "referenceLocator": "pkg:deb/debian/libc6@2.36-9%2Bdeb12u1?arch=amd64&upstream=glibc&distro=debian-12"}]},
          {"name": "libcrypto3", "SPDXID": "SPDXRef-Package-apk-libcrypto3", "versionInfo": "3.1.3-r0",
           "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl",
             "referenceLocator": "pkg:apk/alpine/libcrypto3@3.1.3-r0?arch=x86_64&upstream=openssl&distro=alpine-3.18.4"}]},
          {"name": "rake", "SPDXID": "SPDXRef-Package-gem-rake", "versionInfo": "13.0.6",
           "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl",
             "referenceLocator": "pkg:gem/rake@13.0.6"}]}
         ]}
        """

    static let trivyCycloneDX = """
        {"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1, "components": [
          {"type": "library", "name": "libc6", "version": "2.36-9+deb12u1",
           "purl": "pkg:deb/debian/libc6@2.36-9%2Bdeb12u1?arch=amd64&distro=debian-12.2",
           "properties": [{"name": "aquasecurity:trivy:SrcName", "value": "glibc"},
                          {"name": "aquasecurity:trivy:SrcVersion", "value": "2.36"},
                          {"name": "aquasecurity:trivy:SrcRelease", "value": "9+deb12u1"},
                          {"name": "aquasecurity:trivy:LayerDigest", "value": "sha256:\(String(repeating: "ef", count: 32))"},
                          {"name": "aquasecurity:trivy:PkgType", "value": "debian"}]},
          {"type": "application", "name": "app/lib/log4j-core-2.14.1.jar", "components": [
            {"type": "library", "group": "org.apache.logging.log4j", "name": "log4j-core", "version": "2.14.1",
             "purl": "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1",
             "properties": [{"name": "aquasecurity:trivy:FilePath", "value": "app/lib/log4j-core-2.14.1.jar"}]}]}
        ]}
        """

    @Test("syft's SPDX: source names from the upstream qualifier, ecosystems from distro; other purl types reported")
    func syftSPDX() throws {
        let path = try ScanFixtures.write(Self.syftSPDX, to: "sbom.spdx.json", in: try ScanFixtures.directory())
        let contents = try SBOMReader.read(path: path)
        #expect(contents.packages.map(\.name) == ["libc6", "libcrypto3"])
        #expect(contents.packages.map(\.sourceName) == ["glibc", "openssl"])
        #expect(contents.packages.map(\.ecosystem) == ["Debian:12", "Alpine:v3.18"])
        #expect(contents.packages.first?.location.path == "var/lib/dpkg/status")
        #expect(contents.unsupported == ["pkg:gem/rake@13.0.6: purl type \"gem\" has no OSV ecosystem here"])
        let (database, _, _) = try ScanFixtures.database()
        let findings = try VulnerabilityScanner(database: database).match(contents.packages).findings
        #expect(findings.map(\.id).sorted() == ["ALPINE-CVE-2023-5363", "DSA-5514-1"])
    }

    @Test("trivy's CycloneDX: SrcName and SrcVersion, layer digest and file path, nested components")
    func trivyCycloneDX() throws {
        let path = try ScanFixtures.write(Self.trivyCycloneDX, to: "bom.cdx.json", in: try ScanFixtures.directory())
        let contents = try SBOMReader.read(path: path)
        let libc = try #require(contents.packages.first { $0.name == "libc6" })
        #expect(libc.sourceName == "glibc")
        #expect(libc.sourceVersion == "2.36-9+deb12u1")
        #expect(libc.location.layer?.encoded == String(repeating: "ef", count: 32))
        let log4j = try #require(contents.packages.first { $0.kind == .java })
        #expect(log4j.name == "org.apache.logging.log4j:log4j-core")
        #expect(log4j.location.path == "app/lib/log4j-core-2.14.1.jar")
        let (database, _, _) = try ScanFixtures.database()
        let findings = try VulnerabilityScanner(database: database).match(contents.packages).findings
        #expect(findings.map(\.id).sorted() == ["DSA-5514-1", "GHSA-jfh8-c2jp-5v3q"])
        let notSBOM = try ScanFixtures.write("{\"hello\": 1}", to: "x.json", in: try ScanFixtures.directory())
        #expect(throws: ScanError.self) { try SBOMReader.read(path: notSBOM) }
    }

    @Test("db push to a layout, then fetch: verified, cached by digest; a tampered blob is refused")
    func pushAndFetch() throws {
        let (_, _, path) = try ScanFixtures.database()
        let root = try ScanFixtures.directory()
        let reference = try ImageReference(parsing: root + "/bundle:vulndb")
        _ = try OCILayout.create(at: root + "/bundle")
        let (destination, _) = try LocalEndpoint.destination(reference)
        let pushed = try DatabaseArtifact.push(databaseAt: path, to: destination, tag: "vulndb")
        let (source, selector) = try LocalEndpoint.source(reference)
        #expect(try source.resolve(selector).digest == pushed.digest)

        let cache = root + "/cache"
        let fetched = try DatabaseArtifact.fetch(from: source, selector: selector, reference: "bundle", cacheDirectory: cache)
        #expect(fetched.downloaded)
        #expect(fetched.path == "\(cache)/vulndb/sha256/\(fetched.digest.encoded).db")
        #expect(try Data(contentsOf: URL(fileURLWithPath: fetched.path)) == Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(try VulnerabilityDatabase.open(at: fetched.path).status().records == 9)
        let again = try DatabaseArtifact.fetch(from: source, selector: selector, reference: "bundle", cacheDirectory: cache)
        #expect(!again.downloaded)

        // Flip a byte of the stored blob: a fresh cache refuses it and keeps nothing.
        let blob = root + "/bundle/blobs/sha256/" + fetched.digest.encoded
        var bytes = try Data(contentsOf: URL(fileURLWithPath: blob))
        bytes[bytes.count / 2] ^= 0xFF
        try? FileManager.default.removeItem(atPath: blob)
        try bytes.write(to: URL(fileURLWithPath: blob))
        let other = root + "/cache2"
        #expect(throws: LayoutError.self) {
            try DatabaseArtifact.fetch(from: source, selector: selector, reference: "bundle", cacheDirectory: other)
        }
        let left = (try? FileManager.default.contentsOfDirectory(atPath: other + "/vulndb/sha256")) ?? []
        #expect(left.isEmpty)
    }

    /// Four database versions fetched in turn into one cache: it keeps the three most recently used, and a
    /// cache hit counts as a use.
    @Test func theCacheKeepsTheMostRecentlyUsedDatabases() throws {
        let root = try ScanFixtures.directory()
        _ = try OCILayout.create(at: root + "/bundle")
        let cache = root + "/cache"
        var fetched: [DatabaseArtifact.Fetched] = []
        for day in 0..<4 {
            let (_, _, path) = try ScanFixtures.database(now: Date(timeIntervalSince1970: 1_700_000_000 + Double(day) * 86_400))
            let reference = try ImageReference(parsing: root + "/bundle:vulndb-\(day)")
            _ = try DatabaseArtifact.push(databaseAt: path, to: try LocalEndpoint.destination(reference).0, tag: "vulndb-\(day)")
            let (source, selector) = try LocalEndpoint.source(reference)
            fetched.append(
                try DatabaseArtifact.fetch(from: source, selector: selector, reference: "bundle", cacheDirectory: cache))
            if day == 1 {
                // Day 0's copy is used again after day 1's arrived: it outlives day 1's.
                Thread.sleep(forTimeInterval: 0.05)
                let (first, firstSelector) = try LocalEndpoint.source(try ImageReference(parsing: root + "/bundle:vulndb-0"))
                #expect(!(try DatabaseArtifact.fetch(from: first, selector: firstSelector, reference: "bundle", cacheDirectory: cache)).downloaded)
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        #expect(Set(fetched.map(\.digest)).count == 4)
        let left = Set(try FileManager.default.contentsOfDirectory(atPath: cache + "/vulndb/sha256"))
        #expect(left == Set([0, 2, 3].map { "\(fetched[$0].digest.encoded).db" }))
    }
}
