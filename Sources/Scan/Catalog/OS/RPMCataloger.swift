// SPDX-License-Identifier: Apache-2.0
import Foundation

/// RPM packages from the SQLite rpmdb (`var/lib/rpm/rpmdb.sqlite`, `usr/lib/sysimage/rpm/rpmdb.sqlite`): each
/// row of the `Packages` table is a header blob. The file is spooled to a temporary file (SQLite needs one),
/// bounded by `limit`. The BerkeleyDB `Packages` and NDB `Packages.db` formats are reported as unsupported
/// skips, never as an empty package list. `gpg-pubkey` entries (imported keys, not software) are left out.
public struct RPMCataloger: Cataloger {
    /// Largest rpmdb spooled.
    public static let limit = 512 << 20

    static let sqliteDatabases: Set<String> = ["var/lib/rpm/rpmdb.sqlite", "usr/lib/sysimage/rpm/rpmdb.sqlite"]
    static let unsupportedDatabases: [String: String] = [
        "var/lib/rpm/Packages": "BerkeleyDB", "usr/lib/sysimage/rpm/Packages": "BerkeleyDB",
        "var/lib/rpm/Packages.db": "NDB", "usr/lib/sysimage/rpm/Packages.db": "NDB",
    ]

    public init() {}

    public var kind: CatalogedPackage.Kind { .rpm }

    public func wants(_ entry: CatalogEntry) -> Bool {
        Self.sqliteDatabases.contains(entry.path) || Self.unsupportedDatabases[entry.path] != nil
    }

    public func catalog(_ file: inout CatalogFile, context: CatalogContext, skips: inout [CatalogSkip]) throws
        -> [CatalogedPackage]
    {
        if let format = Self.unsupportedDatabases[file.path] {
            skips.append(
                CatalogSkip(
                    path: file.path, layer: file.layer,
                    reason:
                        "rpm \(format) database: unsupported (only the SQLite rpmdb.sqlite is read); "
                        + "its packages are not listed"
                ))
            return []
        }
        guard file.entry.size <= Int64(Self.limit) else {
            throw ScanError.inputTooLarge(what: file.path, size: Int(clamping: file.entry.size), limit: Self.limit)
        }
        let spool = FileManager.default.temporaryDirectory.appendingPathComponent("ocitool-rpmdb-\(UUID().uuidString)")
        guard FileManager.default.createFile(atPath: spool.path, contents: nil, attributes: [.posixPermissions: 0o600]),
            let handle = FileHandle(forWritingAtPath: spool.path)
        else { throw RPMHeaderError("cannot create a temporary file for \(file.path)") }
        defer { try? FileManager.default.removeItem(at: spool) }
        do {
            var written = 0
            let path = file.path
            try file.forEachChunk { (chunk) in
                written += chunk.count
                guard written <= Self.limit else {
                    throw ScanError.inputTooLarge(what: path, size: written, limit: Self.limit)
                }
                try handle.write(contentsOf: Data(chunk))
                return true
            }
            try handle.close()
        } catch {
            try? handle.close()
            throw error
        }
        var packages: [CatalogedPackage] = []
        var row = 0
        do {
            let database = try SQLiteConnection(path: spool.path, readOnly: true, immutable: true)
            try database.prepare("SELECT blob FROM Packages ORDER BY hnum").query([]) { (result) in
                row += 1
                do {
                    let header = try RPMHeader(result.blob(0))
                    if let found = try makePackage(header, file: file, context: context) { packages.append(found) }
                } catch {
                    skips.append(CatalogSkip(path: file.path, layer: file.layer, reason: "package row \(row): \(error)"))
                }
            }
        } catch ScanError.notADatabase {
            throw RPMHeaderError("not a readable SQLite database")
        } catch ScanError.database(_, let message) {
            throw RPMHeaderError("not an rpm database (\(message))")
        }
        return packages
    }

    private func makePackage(_ header: RPMHeader, file: CatalogFile, context: CatalogContext) throws
        -> CatalogedPackage?
    {
        guard let name = header[.name], !name.isEmpty, let version = header[.version], let release = header[.release]
        else { throw RPMHeaderError("no NAME, VERSION or RELEASE") }
        if name == "gpg-pubkey" { return nil }
        let epoch = header.integer(.epoch)
        let versionRelease = "\(version)-\(release)"
        var qualifiers: [String: String] = [:]
        if let arch = header[.arch] { qualifiers["arch"] = arch }
        if let epoch { qualifiers["epoch"] = String(epoch) }
        let sourceRPM = header[.sourceRPM].flatMap { $0.isEmpty ? nil : $0 }
        if let sourceRPM { qualifiers["upstream"] = sourceRPM }
        let purl = PackageURL(
            type: "rpm", namespace: context.distro?.purlNamespace ?? "redhat", name: name, version: versionRelease,
            qualifiers: qualifiers)
        return CatalogedPackage(
            kind: .rpm, name: name, version: epoch.map { "\($0):\(versionRelease)" } ?? versionRelease, purl: purl,
            sourceName: sourceRPM.flatMap(Self.sourceName), sourceVersion: nil, ecosystem: context.distro?.osvEcosystem,
            licenses: header[.license].map { [$0] } ?? [], location: file.location)
    }

    /// The name in a source RPM file name: `openssl-3.0.7-25.el9.src.rpm` → `openssl`.
    static func sourceName(_ sourceRPM: String) -> String? {
        var base = Substring(sourceRPM)
        for suffix in [".src.rpm", ".nosrc.rpm"] where base.hasSuffix(suffix) {
            base = base.dropLast(suffix.count)
        }
        let parts = base.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 3 else { return nil }
        return parts.dropLast(2).joined(separator: "-")
    }
}
