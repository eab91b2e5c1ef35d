// SPDX-License-Identifier: Apache-2.0
import Foundation
import Scan
import Testing

@Suite("Scan: Python cataloger")
struct PythonCatalogerTests {
    let cataloger = PythonMetadataCataloger()

    /// Every distribution the test venv's Python (made by install-test-deps: pip, cryptography, univers and
    /// their dependencies) and the system Python see (wheels' dist-info, eggs' egg-info directories and files),
    /// read by our cataloger and by Python's own importlib.metadata: same names, versions and declared licenses.
    @Test func installedDistributionsMatchImportlibMetadata() throws {
        let script = """
            import importlib.metadata, os
            for d in importlib.metadata.distributions():
                p = str(getattr(d, "_path", ""))
                f = os.path.join(p, "METADATA") if p.endswith(".dist-info") else (
                    os.path.join(p, "PKG-INFO") if os.path.isdir(p) else p)
                if not os.path.isfile(f):
                    continue
                lic = d.metadata.get("License-Expression") or d.metadata.get("License") or ""
                lic = "" if "\\n" in lic.strip() or lic.strip() == "UNKNOWN" else lic.strip()
                print("\\t".join([f, d.metadata["Name"], d.version, lic]))
            """
        let venv = try runCommand([Oracle.venvPython, "-c", script]).split(separator: "\n")
        #expect(venv.count >= 10, "the test venv holds the pinned packages and their dependencies")
        let system = try runCommand(["/usr/bin/python3", "-c", script]).split(separator: "\n")
        let lines = venv + system
        for line in lines {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            let path = String(fields[0].dropFirst())  // as the walker offers it: no leading "/"
            let result = try CatalogHarness(cataloger, path: path, file: URL(fileURLWithPath: fields[0]))
            #expect(result.wanted, "\(path)")
            #expect(result.skips.isEmpty, "\(path): \(result.skips)")
            let package = try #require(result.packages.first, "\(path)")
            #expect(package.name == fields[1] && package.version == fields[2], "\(path)")
            #expect(package.ecosystem == "PyPI")
            #expect(package.purl.description == "pkg:pypi/\(Ecosystem.normalizedName(fields[1], ecosystem: "PyPI"))@\(fields[2])"
                .replacingOccurrences(of: "+", with: "%2B"))
            if !fields[3].isEmpty { #expect(package.licenses.first == fields[3], "\(path)") }
        }
    }

    @Test func headersLicensesAndPurl() throws {
        let metadata = """
            Metadata-Version: 2.4
            Name: Foo_Bar.baz
            Version: 1.0.post1
            License: MIT
              (continued on a second line)
            License-Expression: Apache-2.0 OR MIT
            Classifier: License :: OSI Approved :: BSD License

            Name: Not-This
            Version: 9.9
            """
        let result = try CatalogHarness(cataloger, path: "usr/lib/python3/site-packages/Foo_Bar.baz-1.0.post1.dist-info/METADATA", text: metadata, chunk: 5)
        let package = try #require(result.packages.first)
        #expect(result.packages.count == 1)
        #expect(package.name == "Foo_Bar.baz" && package.version == "1.0.post1")
        #expect(package.purl.description == "pkg:pypi/foo-bar-baz@1.0.post1")
        #expect(package.licenses == ["Apache-2.0 OR MIT"])
        #expect(package.kind == .python && package.location.path.hasSuffix("METADATA"))

        // No expression: a one-line License; a multi-line one (a license text) gives way to the classifiers.
        let oneLine = try CatalogHarness(cataloger, path: "x.egg-info/PKG-INFO", text: "Name: a\r\nVersion: 1\r\nLicense: BSD-3-Clause\r\n\r\nbody")
        #expect(oneLine.packages.first?.licenses == ["BSD-3-Clause"])
        let classifiers = try CatalogHarness(
            cataloger, path: "lib/python3.11/site-packages/a-1.egg-info",
            text: "Name: a\nVersion: 1\nLicense: Copyright (c) someone\n  All rights reserved\nClassifier: License :: OSI Approved :: MIT License\nClassifier: Programming Language :: Python\n")
        #expect(classifiers.packages.first?.licenses == ["MIT License"])
    }

    @Test func wantsOnlyMetadataFiles() {
        let yes = ["a/b.dist-info/METADATA", "a/b.egg-info/PKG-INFO", "usr/lib/python3/dist-packages/six-1.16.0.egg-info"]
        let no = ["a/b.dist-info/RECORD", "a/METADATA", "a/b.egg-info/SOURCES.txt", "a/PKG-INFO"]
        for path in yes { #expect(cataloger.wants(CatalogEntry(path: path, size: 10, isExecutable: false)), "\(path)") }
        for path in no { #expect(!cataloger.wants(CatalogEntry(path: path, size: 10, isExecutable: false)), "\(path)") }
    }

    /// A 2 GiB METADATA (headers, then a 2 GiB body of zeros, generated as read and never allocated): the
    /// package is found after the first chunk, and the body is not read.
    @Test func twoGiBMetadataReadsOnlyTheHeaders() throws {
        let headers = Array("Metadata-Version: 2.1\nName: huge\nVersion: 2.0\n\n".utf8)
        let size: Int64 = 2 << 30
        var offset: Int64 = 0
        let result = try CatalogHarness(
            cataloger, entry: CatalogEntry(path: "x/huge-2.0.dist-info/METADATA", size: size, isExecutable: false)
        ) { buffer in
            let count = Int(min(Int64(buffer.count), size - offset))
            buffer.initializeMemory(as: UInt8.self, repeating: 0)
            if offset < Int64(headers.count) {
                let take = min(count, headers.count - Int(offset))
                buffer.copyBytes(from: headers[Int(offset)..<Int(offset) + take])
            }
            offset += Int64(count)
            return count
        }
        #expect(result.coordinates == ["huge@2.0"])
        #expect(result.bytesRead <= 64 << 10)
    }

    /// 2 GiB of header text that never ends: a counted skip after the header limit, not 2 GiB in memory.
    @Test func endlessHeadersAreACountedSkip() throws {
        let size: Int64 = 2 << 30
        var offset: Int64 = 0
        let result = try CatalogHarness(
            cataloger, entry: CatalogEntry(path: "x/endless.dist-info/METADATA", size: size, isExecutable: false)
        ) { buffer in
            let count = Int(min(Int64(buffer.count), size - offset))
            buffer.initializeMemory(as: UInt8.self, repeating: UInt8(ascii: "a"))
            offset += Int64(count)
            return count
        }
        #expect(result.packages.isEmpty)
        #expect(result.skips.count == 1)
        #expect(result.skips.first?.reason.contains("without ending") == true)
        #expect(result.bytesRead <= Int64(cataloger.headerLimit + (64 << 10)))
    }

    @Test func metadataWithoutNameOrVersionIsACountedSkip() throws {
        let result = try CatalogHarness(cataloger, path: "x/y.dist-info/METADATA", text: "Metadata-Version: 2.1\nName: y\n\n")
        #expect(result.packages.isEmpty && result.skips.count == 1)
    }
}
