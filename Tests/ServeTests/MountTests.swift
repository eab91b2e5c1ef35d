// SPDX-License-Identifier: Apache-2.0
import Foundation
import Glibc
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Layout
import Testing

@testable import Serve

/// Cross-repository mounts and the blobs a store's repositories share (a directory tree's pool, a bucket's blobs).
@Suite("Serve: mounts and the blob pool")
struct MountTests {
    static func inode(_ path: String) -> UInt64? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return UInt64(info.st_ino)
    }

    @Test(arguments: StorageKind.allCases)
    func mountFromAnotherRepositoryGives201AndSharesTheFile(storage: StorageKind) async throws {
        let fixture = try await ServeFixture(storage)
        defer { fixture.remove() }
        let data = randomBytes(6000)
        let digest = Digest.sha256(of: data)
        try await fixture.run { client in
            try await client.pushBlob(data, to: "source/app")
            let mount = try await client.execute(
                uri: "/v2/target/blobs/uploads/?mount=\(digest)&from=source/app", method: .post)
            #expect(mount.status == .created)
            #expect(mount.headers[.location] == "/v2/target/blobs/\(digest)")
            #expect(mount.headers[.dockerContentDigest] == digest.description)
            #expect(try await client.execute(uri: "/v2/target/blobs/\(digest)", method: .get).body.data == data)
        }
        #expect(fixture.store.blobUsage().blobs == 1, "stored once")
        if fixture.kind == .file {
            let source = try fixture.store.layout(for: "source/app")
            let target = try fixture.store.layout(for: "target")
            #expect(MountTests.inode(source.blobPath(digest)) == MountTests.inode(target.blobPath(digest)))
        }
    }

    @Test(arguments: StorageKind.allCases)
    func mountWithoutFromFindsTheBlobAnywhereInTheStore(storage: StorageKind) async throws {
        let fixture = try await ServeFixture(storage)
        defer { fixture.remove() }
        let pushed = randomBytes(3000)
        let written = randomBytes(3000)
        // A blob the CLI wrote (not pooled) is found too.
        let cli = try fixture.store.layout(for: "cli", create: true)
        let writtenDigest = try cli.writeBlob(written).digest
        try await fixture.run { client in
            let digest = try await client.pushBlob(pushed, to: "one")
            for (blob, expected) in [(digest, pushed), (writtenDigest, written)] {
                let mount = try await client.execute(uri: "/v2/two/blobs/uploads/?mount=\(blob)", method: .post)
                #expect(mount.status == .created)
                #expect(try await client.execute(uri: "/v2/two/blobs/\(blob)", method: .get).body.data == expected)
            }
        }
    }

    @Test(arguments: StorageKind.allCases)
    func mountOfAMissingBlobFallsBackToAnUploadSession(storage: StorageKind) async throws {
        let fixture = try await ServeFixture(storage)
        defer { fixture.remove() }
        let data = randomBytes(2500)
        let digest = Digest.sha256(of: data)
        try await fixture.run { client in
            try await client.pushBlob(randomBytes(10), to: "source")
            let queries = ["mount=\(digest)", "mount=\(digest)&from=source", "mount=\(digest)&from=nowhere"]
            // Each upload makes the blob known to the store; the mount without `from` goes first.
            for (number, query) in queries.enumerated() {
                let target = "target\(number)"
                let response = try await client.execute(uri: "/v2/\(target)/blobs/uploads/?\(query)", method: .post)
                #expect(response.status == .accepted, "\(query)")
                let location = try #require(response.headers[.location])
                #expect(location.hasPrefix("/v2/\(target)/blobs/uploads/"))
                #expect(try !fixture.holdsAnything(of: target))
                let put = try await client.execute(uri: "\(location)?digest=\(digest)", method: .put, body: data.buffer)
                #expect(put.status == .created)
            }
        }
        // A failed mount does not create the repository; the uploads did.
        #expect(fixture.store.repositories() == ["source", "target0", "target1", "target2"])
    }

    @Test(arguments: StorageKind.allCases)
    func mountWithAnInvalidDigestIs400(storage: StorageKind) async throws {
        let fixture = try await ServeFixture(storage)
        defer { fixture.remove() }
        try await fixture.run { client in
            let response = try await client.execute(uri: "/v2/a/blobs/uploads/?mount=sha256:nope&from=b", method: .post)
            #expect(response.status == .badRequest)
            #expect(response.errorCode == .digestInvalid)
        }
    }

    @Test(arguments: StorageKind.allCases)
    func identicalBlobsPushedToTwoRepositoriesAreStoredOnce(storage: StorageKind) async throws {
        let fixture = try await ServeFixture(storage)
        defer { fixture.remove() }
        let data = randomBytes(8000)
        let digest = Digest.sha256(of: data)
        try await fixture.run { client in
            try await client.pushBlob(data, to: "one")
            // Chunked, into another repository.
            let location = try await UploadTests.start(client, "two")
            #expect(try await UploadTests.patch(client, location, data, from: 0).status == .accepted)
            #expect(try await client.execute(uri: "\(location)?digest=\(digest)", method: .put).status == .created)
        }
        #expect(fixture.store.blobUsage().bytes == 8000)
        #expect(fixture.store.blobUsage().blobs == 1)
        // In a directory tree, "once" is one file that both layouts and the pool hard-link.
        guard fixture.kind == .file else { return }
        let one = try fixture.store.layout(for: "one").blobPath(digest)
        let two = try fixture.store.layout(for: "two").blobPath(digest)
        let pooled = fixture.root + "/.ocitool/pool/sha256/\(digest.encoded)"
        #expect(MountTests.inode(one) != nil)
        #expect(MountTests.inode(one) == MountTests.inode(two))
        #expect(MountTests.inode(one) == MountTests.inode(pooled))
    }

    @Test(arguments: StorageKind.allCases)
    func sweepKeepsLinkedBlobsAndRemovesUnlinkedOnes(storage: StorageKind) async throws {
        let fixture = try await ServeFixture(storage)
        defer { fixture.remove() }
        let kept = randomBytes(100)
        let dropped = randomBytes(100)
        try await fixture.run { client in
            try await client.pushBlob(kept, to: "app")
            let digest = try await client.pushBlob(dropped, to: "app")
            #expect(try await client.execute(uri: "/v2/app/blobs/\(digest)", method: .delete).status == .accepted)
        }
        // What the repositories share (the pool, or the bucket's blobs) loses only what none of them links.
        let removed = try fixture.store.sweepShared(grace: 0)
        #expect(removed == [Digest.sha256(of: dropped)])
        #expect(fixture.store.blobUsage().bytes == 100)
        try await fixture.run { client in
            let get = try await client.execute(uri: "/v2/app/blobs/\(Digest.sha256(of: kept))", method: .get)
            #expect(get.body.data == kept)
        }
        if fixture.kind == .file { #expect(fixture.store.pooledSize(Digest.sha256(of: kept)) == 100) }
    }
}
