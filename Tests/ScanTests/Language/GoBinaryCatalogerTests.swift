// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing

@testable import Scan

@Suite("Scan: Go binary cataloger")
struct GoBinaryCatalogerTests {
    let cataloger = GoBinaryCataloger()
    static let go = "/usr/bin/go"

    /// The modinfo framing of cmd/go/internal/modload (infoStart, infoEnd).
    static let infoStart: [UInt8] = [0x30, 0x77, 0xaf, 0x0c, 0x92, 0x74, 0x08, 0x02, 0x41, 0xe1, 0xc1, 0x07, 0xe6, 0xd6, 0x18, 0xe6]
    static let infoEnd: [UInt8] = [0xf9, 0x32, 0x43, 0x31, 0x86, 0x18, 0x20, 0x72, 0x00, 0x82, 0x42, 0x10, 0x41, 0x16, 0xd8, 0xf2]

    static func uvarint(_ value: Int) -> [UInt8] {
        var value = value
        var bytes: [UInt8] = []
        while value >= 0x80 {
            bytes.append(UInt8(value & 0x7f) | 0x80)
            value >>= 7
        }
        return bytes + [UInt8(value)]
    }

    /// The 32-byte header and the inline strings, as the Go 1.18+ linker writes them.
    static func buildInfo(version: String, modinfo: String, flags: UInt8 = 2) -> [UInt8] {
        var bytes = GoBuildInfoScanner.magic + [8, flags] + [UInt8](repeating: 0, count: 16)
        let framed = infoStart + Array(modinfo.utf8) + infoEnd
        bytes += uvarint(version.utf8.count) + Array(version.utf8) + uvarint(framed.count) + framed
        return bytes
    }

    /// An ELF-looking file with `blob` at `offset`, decoys before it: the magic at an unaligned offset, and at an
    /// aligned one with an impossible pointer size.
    static func executable(_ blob: [UInt8], at offset: Int = 0x2000, size: Int = 0x4000) -> Data {
        var bytes = [UInt8](repeating: 0x90, count: max(size, offset + blob.count))
        bytes.replaceSubrange(0..<4, with: [0x7f, 0x45, 0x4c, 0x46])
        let decoy = buildInfo(version: "go0.0.1", modinfo: "path\tdecoy\nmod\tdecoy\tv9.9.9\t\n")
        bytes.replaceSubrange(0x801..<0x801 + decoy.count, with: decoy)
        var impossible = decoy
        impossible[14] = 5
        bytes.replaceSubrange(0x1000..<0x1000 + impossible.count, with: impossible)
        bytes.replaceSubrange(offset..<offset + blob.count, with: blob)
        return Data(bytes)
    }

    static let modinfo = """
        path\texample.com/app/cmd/app
        mod\texample.com/app\tv1.4.2\th1:abc=
        dep\tgolang.org/x/text\tv0.3.7\th1:olpwvP2KacW1ZWvsR7uQhoyTYvKAupfQrRGBFM352Gk=
        dep\tgithub.com/old/name\tv1.0.0
        =>\tgithub.com/new/name\tv1.0.1\th1:def=
        dep\texample.com/local\tv0.0.0-00010101000000-000000000000
        =>\t../local\t(devel)\t
        build\t-compiler=gc
        build\tCGO_ENABLED=0

        """

    @Test func constructedBuildInfoAtEveryChunking() throws {
        let data = Self.executable(Self.buildInfo(version: "go1.21.5", modinfo: Self.modinfo))
        for chunk in [1, 7, 16, 4096, 64 << 10] {
            let result = try CatalogHarness(cataloger, path: "usr/local/bin/app", data: data, chunk: chunk, executable: true)
            #expect(result.skips.isEmpty, "chunk \(chunk): \(result.skips)")
            #expect(
                result.coordinates == [
                    "example.com/app@v1.4.2", "example.com/local@(devel)", "github.com/new/name@v1.0.1",
                    "golang.org/x/text@v0.3.7", "stdlib@1.21.5",
                ], "chunk \(chunk)")
        }
        let result = try CatalogHarness(cataloger, path: "usr/local/bin/app", data: data, executable: true)
        let purls = Set(result.packages.map(\.purl.description))
        #expect(purls.contains("pkg:golang/golang.org/x/text@v0.3.7"))
        #expect(purls.contains("pkg:golang/stdlib@1.21.5"))
        #expect(purls.contains("pkg:golang/example.com/local"))
        #expect(result.packages.allSatisfy { $0.ecosystem == "Go" && $0.kind == .go })
        // Reading stopped at the build info: the rest of the file was not pulled.
        let long = Self.executable(Self.buildInfo(version: "go1.21.5", modinfo: Self.modinfo), size: 4 << 20)
        #expect(try CatalogHarness(cataloger, path: "app", data: long, executable: true).bytesRead < 1 << 20)
    }

    @Test func stdlibVersions() {
        #expect(GoBinaryCataloger.stdlibVersion("go1.21.5") == "1.21.5")
        #expect(GoBinaryCataloger.stdlibVersion("go1.19") == "1.19.0")
        #expect(GoBinaryCataloger.stdlibVersion("go1.21rc2") == "1.21.0-rc.2")
        #expect(GoBinaryCataloger.stdlibVersion("go1.22.1 X:boringcrypto") == "1.22.1")
        #expect(GoBinaryCataloger.stdlibVersion("devel go1.23-abcdef") == nil)
    }

    /// A real binary built by the Go toolchain (vendored modules, a module replacement and a directory
    /// replacement, so the build is offline): our reading of its build info equals `go version -m`'s.
    @Test func realBinaryMatchesGoVersionM() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let app = directory.url.appendingPathComponent("app")
        let files: [String: String] = [
            "go.mod": """
                module example.com/app

                go 1.19

                require (
                \texample.com/dep v1.2.3
                \texample.com/other v0.4.0
                \texample.com/local v0.0.0
                )

                replace example.com/other => example.com/fork v0.4.1

                replace example.com/local => ./local
                """,
            "vendor/modules.txt": """
                # example.com/dep v1.2.3
                ## explicit
                example.com/dep
                # example.com/local v0.0.0 => ./local
                ## explicit
                example.com/local
                # example.com/other v0.4.0 => example.com/fork v0.4.1
                ## explicit
                example.com/other
                # example.com/local => ./local
                # example.com/other => example.com/fork v0.4.1

                """,
            "vendor/example.com/dep/dep.go": "package dep\n\nfunc Hello() string { return \"hi\" }\n",
            "vendor/example.com/other/other.go": "package other\n\nfunc Name() string { return \"other\" }\n",
            "vendor/example.com/local/local.go": "package local\n\nfunc X() int { return 1 }\n",
            "local/go.mod": "module example.com/local\n",
            "local/local.go": "package local\n\nfunc X() int { return 1 }\n",
            "main.go": """
                package main

                import (
                \t"fmt"

                \t"example.com/dep"
                \t"example.com/local"
                \t"example.com/other"
                )

                func main() { fmt.Println(dep.Hello(), other.Name(), local.X()) }
                """,
        ]
        for (path, text) in files {
            let url = app.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        let environment = [
            "GOFLAGS": "-mod=vendor", "GOPROXY": "off", "GOTOOLCHAIN": "local",
            "GOCACHE": directory.url.appendingPathComponent("cache").path,
            "GOPATH": directory.url.appendingPathComponent("gopath").path,
        ]
        _ = try runCommand([Self.go, "build", "-o", "app", "."], environment: environment, directory: app)
        let binary = app.appendingPathComponent("app")
        let oracle = try GoVersionM(try runCommand([Self.go, "version", "-m", binary.path]))

        var file = CatalogFile(entry: CatalogEntry(path: "app", size: 0, isExecutable: true), layer: nil, readChunk: try Self.reader(binary))
        guard case .found(let info) = try GoBuildInfoScanner.scan(&file) else {
            Issue.record("no build info found")
            return
        }
        #expect(info.goVersion == oracle.goVersion)
        #expect(info.path == oracle.path)
        #expect(info.main.map { [$0.path, $0.version] } == oracle.main)
        #expect(info.dependencies.map(GoVersionM.line) == oracle.dependencies)
        #expect(oracle.dependencies.count == 3)

        let result = try CatalogHarness(cataloger, path: "usr/bin/app", file: binary, executable: true)
        let stdlib = try #require(GoBinaryCataloger.stdlibVersion(oracle.goVersion))
        #expect(
            result.coordinates == [
                "example.com/app@(devel)", "example.com/dep@v1.2.3", "example.com/fork@v0.4.1",
                "example.com/local@(devel)", "stdlib@\(stdlib)",
            ])
    }

    /// docker-registry (installed by install-test-deps) is a Go program Debian builds in GOPATH mode: its build
    /// info names the toolchain and the main package but no modules, exactly as `go version -m` shows.
    @Test func debianDockerRegistryMatchesGoVersionM() throws {
        let binary = URL(fileURLWithPath: "/usr/bin/docker-registry")
        let oracle = try GoVersionM(try runCommand([Self.go, "version", "-m", binary.path]))
        var file = CatalogFile(entry: CatalogEntry(path: "usr/bin/docker-registry", size: 0, isExecutable: true), layer: nil, readChunk: try Self.reader(binary))
        guard case .found(let info) = try GoBuildInfoScanner.scan(&file) else {
            Issue.record("no build info found")
            return
        }
        #expect(info.goVersion == oracle.goVersion && info.path == oracle.path)
        #expect(info.main.map { [$0.path, $0.version] } == oracle.main)
        #expect(info.dependencies.map(GoVersionM.line) == oracle.dependencies)
        let result = try CatalogHarness(cataloger, path: "usr/bin/docker-registry", file: binary, executable: true)
        #expect(result.packages.contains { $0.name == "stdlib" && "go" + $0.version == oracle.goVersion })
    }

    @Test func truncatedPointerFormatAndNonBinaries() throws {
        let blob = Self.buildInfo(version: "go1.21.5", modinfo: Self.modinfo)
        let truncated = Data(Self.executable(blob).prefix(0x2000 + 60))
        let cut = try CatalogHarness(cataloger, path: "app", data: truncated, executable: true)
        #expect(cut.packages.isEmpty && cut.skips.count == 1 && cut.skips.first?.reason.contains("cut short") == true)

        let legacy = Self.executable(Self.buildInfo(version: "go1.16", modinfo: "", flags: 0))
        let old = try CatalogHarness(cataloger, path: "app", data: legacy, executable: true)
        #expect(old.packages.isEmpty && old.skips.count == 1 && old.skips.first?.reason.contains("before Go 1.18") == true)

        var script = Data("#!/bin/sh\necho hello\n".utf8)
        script.append(Data(repeating: 0x20, count: 1 << 20))
        let shell = try CatalogHarness(cataloger, path: "usr/bin/hello", data: script, executable: true)
        #expect(shell.packages.isEmpty && shell.skips.isEmpty && shell.bytesRead <= 64 << 10)

        let plain = try CatalogHarness(cataloger, path: "usr/bin/c-program", data: Self.executable([]), executable: true)
        #expect(plain.packages.isEmpty && plain.skips.isEmpty)
        #expect(!cataloger.wants(CatalogEntry(path: "usr/lib/libx.so", size: 1 << 20, isExecutable: false)))
    }

    static func reader(_ url: URL) throws -> (UnsafeMutableRawBufferPointer) throws -> Int {
        let handle = try FileHandle(forReadingFrom: url)
        return { buffer in
            let data = try handle.read(upToCount: buffer.count) ?? Data()
            data.copyBytes(to: buffer.bindMemory(to: UInt8.self), count: data.count)
            return data.count
        }
    }
}

/// `go version -m` output: `FILE: goVERSION`, then tab-indented `path`, `mod`, `dep`, `=>` lines.
struct GoVersionM {
    var goVersion = ""
    var path: String?
    var main: [String]?
    /// Each dependency as `path version [=> path version]`.
    var dependencies: [String] = []

    init(_ output: String) throws {
        let lines = output.split(separator: "\n")
        guard let first = lines.first, let colon = first.lastIndex(of: ":") else { throw OracleError("go version -m: \(output)") }
        goVersion = first[first.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        for line in lines.dropFirst() {
            let fields = line.split(separator: "\t").map(String.init)
            switch fields.first ?? "" {
            case "path": path = fields[1]
            case "mod": main = [fields[1], fields[2]]
            case "dep": dependencies.append("\(fields[1]) \(fields[2])")
            case "=>": dependencies[dependencies.count - 1] += " => \(fields[1]) \(fields[2])"
            default: break
            }
        }
    }

    static func line(_ module: GoBuildInfo.Module) -> String {
        "\(module.path) \(module.version)" + (module.replacement.map { " => \($0.path) \($0.version)" } ?? "")
    }
}
