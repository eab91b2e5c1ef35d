// SPDX-License-Identifier: Apache-2.0
import Foundation
import Glibc
import Layout

/// Edits an htpasswd file of bcrypt hashes, the file `Htpasswd` reads.
public enum HtpasswdFile {
    /// Sets `user`'s password in the htpasswd file at `path` (created, mode 0600, when missing): a bcrypt hash
    /// of cost 10, as `htpasswd -B` writes. Other lines, comments included, keep their order. The file is
    /// replaced atomically, so a running `ocitool serve` never reads half of it.
    /// - Returns: whether the user was already in the file (its password replaced).
    /// - Throws: `ConfigurationError` for a user name htpasswd cannot hold, a file that is not an htpasswd file
    ///   of bcrypt hashes, or one that cannot be written.
    public static func setPassword(_ password: String, for user: String, in path: String) throws(ConfigurationError)
        -> Bool
    {
        guard !user.isEmpty, !user.contains(":"), !user.contains(where: \.isNewline) else {
            throw ConfigurationError("'\(user)' cannot be an htpasswd user name (empty, or with ':' or a line break)")
        }
        guard !password.isEmpty else { throw ConfigurationError("the password is empty") }
        guard let hash = Htpasswd.hash(password) else { throw ConfigurationError("libcrypt could not make a bcrypt hash") }
        var (lines, position) = try lines(of: path, naming: user)
        let entry = "\(user):\(hash)"
        if let position { lines[position] = entry } else { lines.append(entry) }
        try write(lines, to: path)
        return position != nil
    }

    /// Removes `user` from the htpasswd file at `path`.
    /// - Returns: whether the file named the user.
    public static func removeUser(_ user: String, from path: String) throws(ConfigurationError) -> Bool {
        var (lines, position) = try lines(of: path, naming: user)
        guard let position else { return false }
        lines.remove(at: position)
        try write(lines, to: path)
        return true
    }

    /// The file's lines (none when it does not exist), checked as an htpasswd file, and where `user`'s is.
    private static func lines(of path: String, naming user: String) throws(ConfigurationError)
        -> (lines: [String], position: Int?)
    {
        guard FileSystem.exists(path) else { return ([], nil) }
        let text: String
        do { text = String(decoding: try FileSystem.readFile(path, limit: 16 << 20), as: UTF8.self) } catch {
            throw ConfigurationError("\(path): cannot read the htpasswd file: \(error)")
        }
        _ = try Htpasswd.parse(text, file: path)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        return (lines, lines.firstIndex { $0.trimmingCharacters(in: .whitespaces).hasPrefix(user + ":") })
    }

    /// Replaces the file, keeping its permissions (a new one is 0600: it holds password hashes).
    private static func write(_ lines: [String], to path: String) throws(ConfigurationError) {
        let mode = FileSystem.permissions(of: path) ?? 0o600
        do {
            try FileSystem.writeAtomically(Data((lines.map { $0 + "\n" }.joined()).utf8), to: path, mode: mode)
            // The mode given to open(2) is masked by the umask; set it exactly.
            chmod(path, mode)
        } catch {
            throw ConfigurationError("\(path): cannot write the htpasswd file: \(error)")
        }
    }
}
