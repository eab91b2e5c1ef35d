// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
import Scan
import TestSupport

/// Scratch files, databases and packages for the database, matching and report tests.
enum ScanFixtures {
    /// A new scratch directory.
    static func directory() throws -> String {
        let path = TestScratch.directory("scan").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Writes `text` to `directory/name` (creating subdirectories) and returns the path.
    @discardableResult
    static func write(_ text: String, to name: String, in directory: String) throws -> String {
        let path = directory + "/" + name
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// The published advisories of `OSVRecords`, one file each.
    static let published: [(String, String)] = [
        ("GHSA-jfh8-c2jp-5v3q.json", OSVRecords.log4shell), ("GHSA-xvch-5gv4-984h.json", OSVRecords.minimist),
        ("DSA-5514-1.json", OSVRecords.looneyTunables), ("ALPINE-CVE-2023-5363.json", OSVRecords.alpineOpenSSL),
        ("GO-2022-0969.json", OSVRecords.goHTTP2), ("GHSA-h5c8-rqwp-cp95.json", OSVRecords.jinja2),
        ("RHSA-2023-5453.json", OSVRecords.redHatGlibc),
    ]

    /// A database holding the published advisories plus the synthetic withdrawn and unknown-range-type
    /// records, imported from a directory tree.
    static func database(now: Date = Date()) throws -> (VulnerabilityDatabase, ImportReport, String) {
        let root = try directory()
        for (name, text) in published { try write(text, to: "osv/\(name.prefix(4))/\(name)", in: root) }
        try write(OSVRecords.withdrawn, to: "osv/test/withdrawn.json", in: root)
        try write(OSVRecords.unknownRangeType, to: "osv/test/unknown-range.json", in: root)
        let path = root + "/vuln.db"
        let database = try VulnerabilityDatabase.openForImport(at: path)
        let report = try database.import([root + "/osv"], now: now)
        return (database, report, path)
    }

    /// A package as a cataloger reports it.
    static func package(
        _ kind: CatalogedPackage.Kind, _ name: String, _ version: String, purl: String, source: String? = nil,
        ecosystem: String?, path: String = "var/lib/dpkg/status"
    ) -> CatalogedPackage {
        CatalogedPackage(
            kind: kind, name: name, version: version, purl: PackageURL(purl)!, sourceName: source, ecosystem: ecosystem,
            location: .init(layer: try? Digest("sha256:" + String(repeating: "ab", count: 32)), path: path))
    }

    /// One affected package of each ecosystem with a published advisory, plus fixed and unmatched ones.
    static let packages: [CatalogedPackage] = [
        package(
            .deb, "libc6", "2.36-9+deb12u1", purl: "pkg:deb/debian/libc6@2.36-9%2Bdeb12u1?arch=amd64&distro=debian-12",
            source: "glibc", ecosystem: "Debian:12"),
        package(
            .deb, "libc-bin", "2.36-9+deb12u3", purl: "pkg:deb/debian/libc-bin@2.36-9%2Bdeb12u3?arch=amd64&distro=debian-12",
            source: "glibc", ecosystem: "Debian:12"),
        package(
            .apk, "libcrypto3", "3.1.3-r0", purl: "pkg:apk/alpine/libcrypto3@3.1.3-r0?arch=x86_64&distro=alpine-3.18.4",
            source: "openssl", ecosystem: "Alpine:v3.18", path: "lib/apk/db/installed"),
        package(
            .python, "Jinja2", "3.1.2", purl: "pkg:pypi/jinja2@3.1.2", ecosystem: "PyPI",
            path: "usr/lib/python3/dist-packages/Jinja2-3.1.2.dist-info/METADATA"),
        package(.npm, "minimist", "1.2.5", purl: "pkg:npm/minimist@1.2.5", ecosystem: "npm", path: "app/node_modules/minimist/package.json"),
        package(.npm, "left-pad", "1.1.0", purl: "pkg:npm/left-pad@1.1.0", ecosystem: "npm", path: "app/node_modules/left-pad/package.json"),
        package(.go, "stdlib", "go1.19.0", purl: "pkg:golang/stdlib@go1.19.0", ecosystem: "Go", path: "usr/local/bin/app"),
        package(
            .go, "golang.org/x/net", "v0.0.0-20220812174116-3211cb980234",
            purl: "pkg:golang/golang.org/x/net@v0.0.0-20220812174116-3211cb980234", ecosystem: "Go", path: "usr/local/bin/app"),
        package(
            .java, "org.apache.logging.log4j:log4j-core", "2.14.1",
            purl: "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1", ecosystem: "Maven", path: "app/lib/log4j-core-2.14.1.jar"),
        package(.deb, "tzdata", "2024a-0+deb12u1", purl: "pkg:deb/ubuntu/tzdata@2024a-0", ecosystem: nil),
    ]

    /// Runs a process; returns its status and output.
    @discardableResult
    static func run(_ arguments: [String], input: String? = nil) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        let stdin = Pipe()
        process.standardInput = stdin
        try process.run()
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try stdin.fileHandleForWriting.close()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }

    /// Python's own sqlite3 and zipfile modules (the system interpreter): independent writers of the
    /// hostile inputs.
    static func python(_ script: String) throws -> (Int32, String) {
        try run(["/usr/bin/python3", "-c", script])
    }
}
