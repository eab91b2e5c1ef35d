// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
import Testing

@Suite("Store: a directory tree of layouts")
struct RepositoryStoreTests {
    let root: String

    init() { root = LayoutFixtures.makeTemporaryDirectory() }

    @Test func listsNestedRepositoriesAndSkipsDotDirectoriesAndBlobs() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = Store(root: root + "/")
        for name in ["app", "team/app", "team/app/sub", "team/tools/cli", "a.b-c_d"] {
            try OCILayout.create(at: "\(root)/\(name)")
        }
        // Not repositories: private state, dot directories, a layout inside a layout's blobs, invalid names.
        try OCILayout.create(at: "\(root)/.ocitool/cache")
        try OCILayout.create(at: "\(root)/team/.hidden")
        try OCILayout.create(at: "\(root)/app/blobs/sha256/nested")
        try OCILayout.create(at: "\(root)/Upper")
        try FileManager.default.createDirectory(atPath: "\(root)/empty/dir", withIntermediateDirectories: true)

        #expect(store.repositories() == ["a.b-c_d", "app", "team/app", "team/app/sub", "team/tools/cli"])
        #expect(try store.layout(for: "team/app").path == "\(root)/team/app")
    }

    @Test func staysInsideTheRoot() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let outside = LayoutFixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: outside) }
        try OCILayout.create(at: "\(outside)/escaped")
        try OCILayout.create(at: "\(root)/real/app")
        try FileManager.default.createSymbolicLink(atPath: "\(root)/out", withDestinationPath: outside)
        try FileManager.default.createSymbolicLink(atPath: "\(root)/alias", withDestinationPath: "\(root)/real")
        try FileManager.default.createSymbolicLink(atPath: "\(root)/real/loop", withDestinationPath: root)
        let store = Store(root: root)

        // The alias inside the root is followed; the link out of it and the loop are not.
        #expect(store.repositories() == ["alias/app", "real/app"])
        #expect(throws: LayoutError.self) { try store.layout(for: "out/escaped") }
        #expect(throws: LayoutError.self) { try store.layout(for: "out/new", create: true) }
        #expect(!FileManager.default.fileExists(atPath: "\(outside)/new"))
    }

    @Test(arguments: ["a/../b", "A", "a/blobs", ".x", "a/.x", "a/index.json", "oci-layout", "", "a//b", "a/"])
    func rejectsNamesThatAreNotRepositories(name: String) throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = Store(root: root)
        #expect {
            _ = try store.layout(for: name, create: true)
        } throws: { error in
            (error as? LayoutError)?.code == .nameInvalid
        }
        #expect(FileSystem.list(root).isEmpty)
    }

    @Test func unknownRepositoryIsNameUnknownUntilCreated() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = Store(root: root)
        #expect {
            _ = try store.layout(for: "team/new")
        } throws: { error in
            (error as? LayoutError)?.code == .nameUnknown
        }
        let created = try store.layout(for: "team/new", create: true)
        #expect(try store.layout(for: "team/new") == created)
        #expect(store.repositories() == ["team/new"])
    }

    @Test func namespaceCanBecomeARepositoryButOtherDirectoriesAreNotTakenOver() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = Store(root: root)
        let created = try store.layout(for: "team/new", create: true)
        let team = try store.layout(for: "team", create: true)
        try LayoutFixtures.pushRandomImage(layout: team, tag: "v1")
        #expect(store.repositories() == ["team", "team/new"])
        #expect(try team.check().isClean && created.check().isClean)
        // A directory holding anything else is not taken over.
        try FileManager.default.createDirectory(atPath: root + "/docs", withIntermediateDirectories: true)
        try Data("notes".utf8).write(to: URL(fileURLWithPath: root + "/docs/readme.txt"))
        #expect(throws: LayoutError.self) { try store.layout(for: "docs", create: true) }
        #expect(FileSystem.list(root + "/docs") == ["readme.txt"])
    }
}
