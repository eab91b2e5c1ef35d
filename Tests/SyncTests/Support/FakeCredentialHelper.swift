// SPDX-License-Identifier: Apache-2.0
import Foundation

/// Fake docker credential helpers: shell scripts named `docker-credential-NAME` in a temporary `bin`
/// directory, keeping one JSON file per server URL (what `store` received, which is what `get` prints) and a
/// log of every call. `environment` puts them on `PATH`.
final class FakeCredentialHelper {
    let directory: String
    var bin: String { directory + "/bin" }
    var database: String { directory + "/db" }

    /// `PATH` with the helpers first, the database for the scripts, and a `HOME` with no auth file.
    var environment: [String: String] {
        ["PATH": "\(bin):/usr/bin:/bin", "FAKE_HELPER_DB": database, "HOME": directory + "/home"]
    }

    /// The helper script, shared with the CLI tests: Tests/Fixtures/docker-credential-fake.
    static let script: String = {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Fixtures/docker-credential-fake").standardized.path
        return (try? String(contentsOfFile: path, encoding: .utf8)) ?? "#!/bin/sh\necho \"missing \(path)\"; exit 1\n"
    }()

    /// Installs a working helper under each name.
    init(_ names: String...) throws {
        directory = SyncFixtures.temporaryDirectory()
        try FileManager.default.createDirectory(atPath: directory + "/bin", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: directory + "/db", withIntermediateDirectories: true)
        for name in names { try install(name, FakeCredentialHelper.script) }
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    /// Installs a script as `docker-credential-NAME`.
    func install(_ name: String, _ script: String) throws {
        let path = "\(bin)/docker-credential-\(name)"
        try script.write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
    }

    /// A helper that fails every call, printing `message`.
    func installBroken(_ name: String, message: String, status: Int = 3) throws {
        try install(name, "#!/bin/sh\ncat >/dev/null\necho '\(message)'\nexit \(status)\n")
    }

    /// Gives helper `name` credentials for `serverURL`, as its `store` would.
    func seed(_ name: String, serverURL: String, username: String, secret: String) throws {
        let folder = "\(database)/docker-credential-\(name)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let key = serverURL.replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: ":", with: "_")
        try #"{"ServerURL":"\#(serverURL)","Username":"\#(username)","Secret":"\#(secret)"}"#
            .write(toFile: "\(folder)/\(key).json", atomically: true, encoding: .utf8)
    }

    /// What helper `name` holds for `serverURL` (the JSON `store` received), if anything.
    func stored(_ name: String, serverURL: String) -> [String: String]? {
        let key = serverURL.replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: ":", with: "_")
        guard let data = FileManager.default.contents(atPath: "\(database)/docker-credential-\(name)/\(key).json") else {
            return nil
        }
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: String]
    }

    /// Helper `name`'s calls: `ACTION INPUT` lines.
    func log(_ name: String) -> [String] {
        let text = (try? String(contentsOfFile: "\(database)/docker-credential-\(name)/log", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map(String.init)
    }
}
