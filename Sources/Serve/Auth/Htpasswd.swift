// SPDX-License-Identifier: Apache-2.0
import Bcrypt
import Foundation
import Layout
import NIOConcurrencyHelpers

/// An htpasswd file of bcrypt hashes (`user:$2y$...`, as `htpasswd -B` writes), verified with libcrypt
/// (`Bcrypt`, over `crypt_rn`). The file is re-read when it changes (checked at most once a second), so users
/// can be added while the registry runs. Successful verifications are remembered for a minute: bcrypt is
/// deliberately slow, and a client sending Basic credentials sends them on every request.
final class Htpasswd: Sendable {
    /// The file.
    let path: String
    private let state: NIOLockedValueBox<State>
    /// A per-process key for the verification cache (the cache never holds a password or a plain hash of one).
    private let cacheKey: [UInt8]

    private struct State {
        var entries: [String: String]
        var stamp: Stamp?
        var lastCheck: ContinuousClock.Instant
        var verified: [String: ContinuousClock.Instant] = [:]
    }

    private struct Stamp: Equatable {
        let modified: Date?
        let size: Int64
    }

    /// How long a successful verification is remembered.
    static let cacheLifetime = Duration.seconds(60)
    /// A hash checked (and failed) for users the file does not name; cost 10, as `htpasswd -B` writes.
    static let decoyHash = Htpasswd.hash("ocitool-decoy-\(UInt64.random(in: 0...UInt64.max))") ?? ""

    /// Loads the file.
    /// - Throws: `ConfigurationError` when it cannot be read or a line is malformed.
    init(path: String) throws(ConfigurationError) {
        self.path = path
        let entries = try Htpasswd.load(path)
        state = NIOLockedValueBox(
            State(entries: entries, stamp: Htpasswd.stamp(path), lastCheck: ContinuousClock.now))
        var generator = SystemRandomNumberGenerator()
        cacheKey = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    /// The users the file names.
    var users: [String] { state.withLockedValue { $0.entries.keys.sorted() } }

    /// Whether `password` is `user`'s. The bcrypt check runs off the concurrency pool.
    func verify(user: String, password: String) async -> Bool {
        let now = ContinuousClock.now
        let key = cacheEntry(user: user, password: password)
        let hash: String? = state.withLockedValue { state in
            reloadIfChanged(&state, now: now)
            return state.entries[user]
        }
        guard let hash else {
            // Unknown users cost a bcrypt check too, so response times do not tell which users exist.
            _ = await offload { Htpasswd.bcrypt(password, matches: Htpasswd.decoyHash) }
            return false
        }
        let cached = state.withLockedValue { state in
            state.verified[key + hash].map { now - $0 < Htpasswd.cacheLifetime } ?? false
        }
        if cached { return true }
        let matches = await offload { Htpasswd.bcrypt(password, matches: hash) }
        if matches {
            state.withLockedValue { state in
                if state.verified.count > 10_000 { state.verified.removeAll() }
                state.verified[key + hash] = now
            }
        }
        return matches
    }

    /// Parses htpasswd text.
    /// - Parameters:
    ///   - text: the file's contents.
    ///   - file: its name, for errors.
    /// - Throws: `ConfigurationError` `FILE:LINE: ...` for a line without `:` or a hash that is not bcrypt.
    static func parse(_ text: String, file: String) throws(ConfigurationError) -> [String: String] {
        var entries: [String: String] = [:]
        for (number, rawLine) in text.split(
            omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }
        ).enumerated() {
            let line = rawLine.trimmingWhitespace()
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let colon = line.firstIndex(of: ":"), colon != line.startIndex else {
                throw ConfigurationError("\(file):\(number + 1): expected 'user:bcrypt-hash'")
            }
            let user = String(line[..<colon])
            let hash = String(line[line.index(after: colon)...])
            guard ["$2y$", "$2b$", "$2a$"].contains(where: { hash.hasPrefix($0) }), hash.utf8.count == 60 else {
                throw ConfigurationError(
                    "\(file):\(number + 1): the hash of '\(user)' is not bcrypt (create it with 'htpasswd -B')")
            }
            entries[user] = hash
        }
        return entries
    }

    /// A bcrypt hash of `password`, as `htpasswd -B` makes.
    static func hash(_ password: String, cost: Int = 10) -> String? { Bcrypt.hash(password, cost: cost) }

    /// Whether `password` hashes to `hash`.
    static func bcrypt(_ password: String, matches hash: String) -> Bool { Bcrypt.verify(password, hash: hash) }

    private static func load(_ path: String) throws(ConfigurationError) -> [String: String] {
        let data: Data
        do {
            data = try FileSystem.readFile(path, limit: 16 << 20)
        } catch {
            throw ConfigurationError("\(path): cannot read the htpasswd file: \(error)")
        }
        return try parse(String(decoding: data, as: UTF8.self), file: path)
    }

    private static func stamp(_ path: String) -> Stamp? {
        FileSystem.fileSize(path).map { Stamp(modified: FileSystem.modificationTime(path), size: $0) }
    }

    /// Re-reads the file when its size or mtime changed (at most once a second). A file that became unreadable
    /// or malformed keeps the last good entries.
    private func reloadIfChanged(_ state: inout State, now: ContinuousClock.Instant) {
        guard now - state.lastCheck >= .seconds(1) else { return }
        state.lastCheck = now
        let stamp = Htpasswd.stamp(path)
        guard stamp != state.stamp, let entries = try? Htpasswd.load(path) else { return }
        state.entries = entries
        state.stamp = stamp
        state.verified.removeAll()
    }

    private func cacheEntry(user: String, password: String) -> String {
        let hasher = DigestHasher(.sha256)
        hasher.update(cacheKey)
        hasher.update(Data(user.utf8))
        hasher.update(Data([0]))
        hasher.update(Data(password.utf8))
        return hasher.finalize().encoded
    }
}
