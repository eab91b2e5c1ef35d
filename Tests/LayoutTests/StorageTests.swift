// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
import Testing

/// The storage seam (`BlobStorage`) as its file-system implementation keeps it.
@Suite("Layout storage: blobs and index.json behind BlobStorage")
struct StorageTests {
    let layout: OCILayout
    var storage: any BlobStorage { layout.storage }

    init() throws {
        layout = try OCILayout.create(at: LayoutFixtures.makeTemporaryDirectory() + "/layout")
    }

    /// index.json changes only from the version the writer read: a writer that lost the race gets nil.
    @Test func indexCompareAndSwapRefusesAStaleVersion() throws {
        let (data, version) = try #require(try storage.readIndex(limit: 1 << 20))
        #expect(storage.indexVersion() == version)
        let newer = try #require(try storage.replaceIndex(with: data + Data(" ".utf8), ifVersion: version))
        #expect(newer != version)
        #expect(try storage.replaceIndex(with: data, ifVersion: version) == nil, "a stale version must lose")
        #expect(try storage.replaceIndex(with: data, ifVersion: nil) == nil, "index.json exists already")
        #expect(try storage.readIndex(limit: 1 << 20)?.version == newer)
    }

    /// Writers nest (gc or a delete that updates index.json inside its own serialized section) without waiting
    /// on themselves.
    @Test func serializedWritersAreReentrant() throws {
        let image = try LayoutFixtures.writeRandomImage(layout: layout)
        try layout.storage.serializingWriters { () throws(LayoutError) in
            try layout.tag("one", to: image)
            _ = try layout.collectGarbage(GCOptions(grace: 0))
        }
        #expect(try layout.readIndex().tags == ["one"])
    }

    /// Ingest, then the one commit step; an opened blob keeps its content after a delete; list and stat agree.
    @Test func ingestCommitOpenDeleteList() throws {
        let bytes = LayoutFixtures.randomBytes(300_001)
        let writer = try storage.makeIngest(algorithm: .sha256)
        try bytes.withUnsafeBytes { try writer.write($0) }
        let staged = try writer.finish(expected: nil, expectedSize: Int64(bytes.count))
        #expect(storage.size(of: staged.digest) == nil, "nothing is visible before the commit")
        try staged.commit()
        #expect(storage.size(of: staged.digest) == Int64(bytes.count))
        #expect(storage.list().contains(staged.digest))
        let reader = try layout.openBlob(staged.digest)
        try storage.delete(staged.digest)
        #expect(storage.size(of: staged.digest) == nil)
        var copy = Data(count: bytes.count)
        try copy.withUnsafeMutableBytes { try reader.readExactly(into: $0, at: 0) }
        #expect(copy == bytes)
        #expect(throws: LayoutError.blobNotFound(staged.digest)) { try storage.open(staged.digest) }
    }

    /// A writer whose content is not what it expected stages nothing.
    @Test func ingestVerifiesBeforeStaging() throws {
        let writer = try storage.makeIngest(algorithm: .sha256)
        try Data("abc".utf8).withUnsafeBytes { try writer.write($0) }
        #expect(throws: LayoutError.self) { try writer.finish(expected: nil, expectedSize: 4) }
    }
}
