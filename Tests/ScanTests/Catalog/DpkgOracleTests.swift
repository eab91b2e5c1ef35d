// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
import Scan
import Testing

/// The dpkg cataloger against dpkg itself: this machine's real status file, cataloged from a layer, gives
/// exactly the installed packages `dpkg-query` lists, with the same versions and source packages.
@Suite("Scan: dpkg cataloger against dpkg-query")
struct DpkgOracleTests {
    static let status = "/var/lib/dpkg/status"

    @Test(
        .enabled(
            if: FileManager.default.fileExists(atPath: status)
                && FileManager.default.fileExists(atPath: "/usr/bin/dpkg-query")))
    func hostStatusMatchesDpkgQuery() throws {
        let layout = try ScanImageFixtures.makeLayout()
        let contents = try Data(contentsOf: URL(fileURLWithPath: Self.status))
        let image = try ScanImageFixtures.pushImage(
            layout, layers: [try ScanImageFixtures.layer([.data("var/lib/dpkg/status", contents)])], tag: "1")
        let catalog = try #require(try ImageCataloger().catalog(image, in: LayoutEndpoint(layout)).first)
        let ours = Set(
            catalog.packages.map { package in
                [
                    package.name, package.version, package.sourceName ?? package.name,
                    package.sourceVersion ?? package.version,
                ]
                .joined(separator: "\t")
            })
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/dpkg-query")
        process.arguments = [
            "-W", "-f", "${db:Status-Status}\t${Package}\t${Version}\t${source:Package}\t${source:Version}\n",
        ]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let theirs = Set(
            output.split(separator: "\n").filter { $0.hasPrefix("installed\t") }.map {
                String($0.dropFirst("installed\t".count))
            })
        #expect(!theirs.isEmpty)
        #expect(ours.subtracting(theirs).sorted() == [])
        #expect(theirs.subtracting(ours).sorted() == [])
        #expect(catalog.skips.isEmpty)
    }
}
