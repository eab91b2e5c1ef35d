// SPDX-License-Identifier: Apache-2.0
import Foundation

/// Go modules compiled into executables, from the build info the Go linker embeds (Go 1.18 and later): the main
/// module, every dependency module (replacements applied) and the toolchain as the `stdlib` package, so Go
/// standard-library advisories match (as syft and trivy report it).
///
/// The file is streamed once and reading stops at the build info; a file that is not an executable format is
/// left after its first bytes. Pre-1.18 binaries (pointer-format build info) are a counted skip.
public struct GoBinaryCataloger: Cataloger {
    /// The version `go version -m` shows for a module built from a source tree without version information.
    public static let develVersion = "(devel)"

    public init() {}

    public var kind: CatalogedPackage.Kind { .go }

    /// Executables large enough to hold a header and a build info (a Go binary is at least about a megabyte),
    /// except those whose extension says they are not binaries: executable jars go to the Java cataloger only,
    /// scripts to none.
    public func wants(_ entry: CatalogEntry) -> Bool {
        guard entry.isExecutable, entry.size >= 4096 else { return false }
        if JavaArchiveCataloger.isJavaArchive(entry.path) { return false }
        guard let dot = entry.name.lastIndex(of: ".") else { return true }
        return !Self.scriptExtensions.contains(entry.name[entry.name.index(after: dot)...].lowercased())
    }

    static let scriptExtensions: Set<String> = ["sh", "bash", "py", "pl", "rb", "js", "php", "txt"]

    public func catalog(_ file: inout CatalogFile, context: CatalogContext, skips: inout [CatalogSkip]) throws
        -> [CatalogedPackage]
    {
        switch try GoBuildInfoScanner.scan(&file) {
        case .notGo:
            return []
        case .pointerFormat:
            skips.append(
                CatalogSkip(
                    path: file.path, layer: file.layer,
                    reason: "Go binary built before Go 1.18 (pointer-format build info needs random access); not read"))
            return []
        case .truncated:
            skips.append(
                CatalogSkip(path: file.path, layer: file.layer, reason: "Go build info cut short by the end of the file"))
            return []
        case .found(let info):
            if info.malformedLines > 0 {
                skips.append(
                    CatalogSkip(
                        path: file.path, layer: file.layer,
                        reason: "\(info.malformedLines) lines of Go build info not understood"))
            }
            return packages(info, location: file.location)
        }
    }

    func packages(_ info: GoBuildInfo, location: CatalogedPackage.Location) -> [CatalogedPackage] {
        var packages: [CatalogedPackage] = []
        if let main = info.main {
            packages.append(module(main.effective, location: location))
        }
        for dependency in info.dependencies {
            packages.append(module(dependency.effective, location: location))
        }
        if let stdlib = Self.stdlibVersion(info.goVersion) {
            packages.append(
                CatalogedPackage(
                    kind: .go, name: "stdlib", version: stdlib,
                    purl: PackageURL(type: "golang", name: "stdlib", version: stdlib), ecosystem: "Go",
                    licenses: ["BSD-3-Clause"], location: location))
        }
        return packages
    }

    private func module(_ module: (path: String, version: String), location: CatalogedPackage.Location)
        -> CatalogedPackage
    {
        let known = module.version != Self.develVersion && !module.version.isEmpty
        let slash = module.path.lastIndex(of: "/")
        let namespace = slash.map { String(module.path[..<$0]) }
        let name = slash.map { String(module.path[module.path.index(after: $0)...]) } ?? module.path
        return CatalogedPackage(
            kind: .go, name: module.path, version: module.version.isEmpty ? Self.develVersion : module.version,
            purl: PackageURL(type: "golang", namespace: namespace, name: name, version: known ? module.version : nil),
            ecosystem: "Go", location: location)
    }

    /// The toolchain version as Go's vulnerability database writes it: `go1.21.5` → `1.21.5`, `go1.19` →
    /// `1.19.0`, `go1.21rc2` → `1.21.0-rc.2`; experiments after a space dropped. Nil for development toolchains.
    static func stdlibVersion(_ goVersion: String) -> String? {
        guard let first = goVersion.split(separator: " ").first, first.hasPrefix("go") else { return nil }
        var text = first.dropFirst(2)
        var prerelease: String?
        for tag in ["rc", "beta"] {
            if let range = text.range(of: tag) {
                let number = text[range.upperBound...]
                guard !number.isEmpty, number.allSatisfy(\.isNumber) else { return nil }
                prerelease = "\(tag).\(number)"
                text = text[..<range.lowerBound]
            }
        }
        var parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (2...3).contains(parts.count), parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isNumber) }) else {
            return nil
        }
        while parts.count < 3 { parts.append("0") }
        return parts.joined(separator: ".") + (prerelease.map { "-" + $0 } ?? "")
    }
}
