// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
import Sync

/// A layout source that counts what is asked of it: a plan must look things up, never read blobs.
final class CountingSource: ImageSource, TagCatalog, @unchecked Sendable {
    let base: LayoutEndpoint
    private let lock = NSLock()
    private var counts: [String: Int] = [:]

    init(_ layout: OCILayout) { base = LayoutEndpoint(layout) }

    func count(_ call: String) -> Int { lock.withLock { counts[call] ?? 0 } }
    private func note(_ call: String) { lock.withLock { counts[call, default: 0] += 1 } }

    var description: String { base.description }
    func resolve(_ selector: ImageReference.Selector?) throws -> Descriptor {
        note("resolve")
        return try base.resolve(selector)
    }
    func manifest(_ descriptor: Descriptor) throws -> Manifest {
        note("manifest")
        return try base.manifest(descriptor)
    }
    func readBlob(
        _ descriptor: Descriptor, from offset: Int64, into body: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        note("blob")
        try base.readBlob(descriptor, from: offset, into: body)
    }
    func openBlob(_ descriptor: Descriptor, from offset: Int64) throws -> any BlobStream {
        note("blob")
        return try base.openBlob(descriptor, from: offset)
    }
    func referrers(of digest: Digest) throws -> [Referrer] {
        note("referrers")
        return try base.referrers(of: digest)
    }
    func listTags() throws(SyncError) -> [String] {
        note("tags")
        return try base.listTags()
    }
    func lookupTag(_ tag: String, forWriting: Bool) throws(SyncError) -> Descriptor? {
        note("lookup")
        return try base.lookupTag(tag, forWriting: forWriting)
    }
}
