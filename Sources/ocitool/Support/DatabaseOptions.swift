// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import Layout
import Scan
import Sync

/// `--db`: the vulnerability database a command reads, a file or an artifact reference.
struct DatabaseOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "The vulnerability database: a file, or an artifact reference (oci-archive:FILE:TAG, a layout PATH:TAG, docker://…) read through the cache.",
            valueName: "PATH|REF"))
    var db: String?

    /// `$XDG_DATA_HOME/ocitool/vuln.db`, else `~/.local/share/ocitool/vuln.db`.
    static var defaultPath: String {
        let environment = ProcessInfo.processInfo.environment
        if let data = environment["XDG_DATA_HOME"], !data.isEmpty { return data + "/ocitool/vuln.db" }
        return (environment["HOME"] ?? NSHomeDirectory()) + "/.local/share/ocitool/vuln.db"
    }

    /// `$XDG_CACHE_HOME/ocitool`, else `~/.cache/ocitool`: where databases read from artifacts are kept.
    static var cacheDirectory: String {
        let environment = ProcessInfo.processInfo.environment
        if let cache = environment["XDG_CACHE_HOME"], !cache.isEmpty { return cache + "/ocitool" }
        return (environment["HOME"] ?? NSHomeDirectory()) + "/.cache/ocitool"
    }

    /// The path a writing command (`db import`) uses: `--db` as a file path, or the default.
    var writablePath: String { db ?? Self.defaultPath }

    /// The reference `--db` names, when it is not a file path: a transport prefix, or an existing layout
    /// directory (with an optional :TAG or @DIGEST).
    private func artifactReference() throws -> ImageReference? {
        guard let db else { return nil }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: db, isDirectory: &isDirectory), !isDirectory.boolValue { return nil }
        guard let reference = try? ImageReference(parsing: db) else { return nil }
        if case .layout(let path, _) = reference, !FileSystem.isDirectory(path) { return nil }
        return reference
    }

    /// Opens the database for reading: the file, or the artifact's cached, verified copy.
    func open(registry: RegistryOptions) throws -> (VulnerabilityDatabase, DatabaseInfo) {
        if let reference = try artifactReference(), let text = db {
            let (source, selector) = try ImageEndpoint.source(reference, registry: registry)
            let fetched = try DatabaseArtifact.fetch(
                from: source, selector: selector, reference: text, cacheDirectory: Self.cacheDirectory)
            let database = try VulnerabilityDatabase.open(at: fetched.path)
            return (database, try database.info(source: text, digest: fetched.digest))
        }
        let path = db ?? Self.defaultPath
        let database = try VulnerabilityDatabase.open(at: path)
        return (database, try database.info(source: path))
    }
}

/// `--max-db-age` and the exit code for a stale database: freshness is policy, a warning by default.
struct FreshnessOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Warn when the database was built longer ago than this (e.g. 36h, 7d, 2w).", valueName: "AGE"))
    var maxDbAge: String?

    @Option(help: "With --max-db-age: exit with this code instead of warning when the database is older.")
    var staleDbExitCode: Int32?

    func validate() throws {
        if let maxDbAge, Self.seconds(maxDbAge) == nil {
            throw ValidationError("--max-db-age '\(maxDbAge)' is not an age: a number and s, m, h, d or w (e.g. 7d)")
        }
        if staleDbExitCode != nil, maxDbAge == nil { throw ValidationError("--stale-db-exit-code needs --max-db-age") }
    }

    /// Warns (or fails with the chosen code) when the database is older than `--max-db-age`.
    func check(_ info: DatabaseInfo, now: Date = Date()) throws {
        guard let maxDbAge, let limit = Self.seconds(maxDbAge) else { return }
        let age = info.builtAt.map { now.timeIntervalSince($0) } ?? .infinity
        guard age > limit else { return }
        let built = info.builtAt.map { _ in "built \(Self.describe(age)) ago" } ?? "never built"
        let message = "the vulnerability database \(info.source) is \(built), older than --max-db-age \(maxDbAge)"
        if let code = staleDbExitCode {
            Console.error(message, hint: "update it with 'ocitool db import' (or pull a newer one with --db REF)")
            throw ExitCode(code)
        }
        Console.write("warning: \(message)\n", to: .standardError)
    }

    /// `7d` → seconds.
    static func seconds(_ text: String) -> TimeInterval? {
        guard let unit = text.last, let value = Double(text.dropLast()), value >= 0 else { return nil }
        switch unit {
        case "s": return value
        case "m": return value * 60
        case "h": return value * 3600
        case "d": return value * 86_400
        case "w": return value * 604_800
        default: return nil
        }
    }

    static func describe(_ seconds: TimeInterval) -> String {
        if seconds >= 86_400 { return "\(Int(seconds / 86_400))d" }
        if seconds >= 3600 { return "\(Int(seconds / 3600))h" }
        return "\(Int(seconds / 60))m"
    }
}
