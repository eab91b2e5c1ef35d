// SPDX-License-Identifier: Apache-2.0
import Foundation
@testable import Sync
import Testing

/// docker config.json / containers auth.json reading and writing.
@Suite struct AuthFileTests {
    private func withFile(_ text: String?, _ body: (AuthFile) throws -> Void) throws {
        let directory = SyncFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/docker/config.json"
        if let text {
            try FileManager.default.createDirectory(atPath: directory + "/docker", withIntermediateDirectories: true)
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        }
        try body(AuthFile(path: path))
    }

    @Test func entriesAreFoundByHostInEveryKeyForm() throws {
        let alice = Credentials(username: "alice", password: "pw")
        let text = """
            {"auths": {
              "https://index.docker.io/v1/": {"auth": "\(alice.base64)"},
              "http://registry.example:5000/v2/": {"username": "bob", "password": "b"},
              "quay.example": {"auth": "\(Credentials(username: "q", password: "all").base64)"},
              "quay.example/team": {"auth": "\(Credentials(username: "q", password: "team").base64)"}
            }, "credsStore": "desktop"}
            """
        try withFile(text) { (file) throws in
            #expect(try file.credentials(for: "docker.io") == alice)
            #expect(try file.credentials(for: "registry-1.docker.io") == alice)
            #expect(try file.credentials(for: "registry.example:5000") == Credentials(username: "bob", password: "b"))
            #expect(try file.credentials(for: "registry.example") == nil)
            #expect(try file.credentials(for: "quay.example", repository: "team/app")?.password == "team")
            #expect(try file.credentials(for: "quay.example", repository: "other/app")?.password == "all")
        }
    }

    @Test func storeAndRemoveKeepTheRestOfTheFile() throws {
        try withFile(#"{"auths": {"other.example": {"auth": "eDp5"}}, "credsStore": "desktop"}"#) { (file) throws in
            try file.store(Credentials(username: "u", password: "p"), for: "Registry.Example:5000")
            #expect(try file.credentials(for: "registry.example:5000") == Credentials(username: "u", password: "p"))
            let attributes = try FileManager.default.attributesOfItem(atPath: file.path)
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
            let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file.path))) as? [String: Any]
            #expect(object?["credsStore"] as? String == "desktop")
            #expect(try file.remove(host: "registry.example:5000"))
            #expect(try file.credentials(for: "registry.example:5000") == nil)
            #expect(try file.credentials(for: "other.example") == Credentials(username: "x", password: "y"))
            #expect(try !file.remove(host: "registry.example:5000"))
        }
    }

    @Test func aMissingFileHasNoEntriesAndIsCreatedOnStore() throws {
        try withFile(nil) { (file) throws in
            #expect(try file.credentials(for: "docker.io") == nil)
            try file.store(Credentials(username: "u", password: "p"), for: "docker.io")
            let text = try String(contentsOfFile: file.path, encoding: .utf8)
            #expect(text.contains("https://index.docker.io/v1/"))
        }
    }

    @Test func aMalformedFileIsAnError() throws {
        try withFile("not json") { (file) throws in
            #expect(throws: SyncError.self) { try file.credentials(for: "x") }
        }
    }

    @Test func searchOrderFollowsTheEnvironment() {
        let environment = ["REGISTRY_AUTH_FILE": "/a.json", "XDG_RUNTIME_DIR": "/run/u", "HOME": "/home/u"]
        #expect(AuthFile.searchPaths(environment: environment)
            == ["/a.json", "/run/u/containers/auth.json", "/home/u/.docker/config.json"])
        #expect(AuthFile.searchPaths(explicit: "/x.json", environment: environment) == ["/x.json"])
        #expect(AuthFile.writePath(environment: ["HOME": "/home/u"]) == "/home/u/.docker/config.json")
        #expect(AuthFile.writePath(environment: ["DOCKER_CONFIG": "/d", "HOME": "/home/u"]) == "/d/config.json")
    }
}
