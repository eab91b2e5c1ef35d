// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout

/// A signature or attestation manifest built in memory, as an image source `ImageCopy` copies into a
/// repository: its manifest and small blobs (payloads, bundles, configs) held here; any other blob (a
/// signature layer already in the repository, appended to) read from `fallback`.
struct MemorySource: ImageSource {
    let content: Manifest
    let blobs: [Digest: Data]
    let fallback: (any ImageSource)?

    init(manifest: Data, blobs: [Data], fallback: (any ImageSource)?) throws(LayoutError) {
        content = try Manifest(bytes: manifest)
        self.blobs = Dictionary(blobs.map { (Digest.sha256(of: $0), $0) }) { first, _ in first }
        self.fallback = fallback
    }

    var description: String { "the signature manifest \(content.digest)" }

    /// The manifest's descriptor (with its artifact type and subject-free annotations, as referrers list it).
    var descriptor: Descriptor {
        Descriptor(
            mediaType: content.mediaType, digest: content.digest, size: Int64(content.bytes.count),
            annotations: content.annotations, artifactType: content.artifactType)
    }

    func resolve(_ selector: ImageReference.Selector?) -> Descriptor { descriptor }

    func manifest(_ descriptor: Descriptor) throws -> Manifest {
        if descriptor.digest == content.digest { return content }
        guard let fallback else { throw LayoutError.manifestNotFound("\(self)@\(descriptor.digest)") }
        return try fallback.manifest(descriptor)
    }

    func readBlob(_ descriptor: Descriptor, from offset: Int64, into body: (UnsafeRawBufferPointer) throws -> Void)
        throws
    {
        if let data = blobs[descriptor.digest] {
            let start = Int(min(max(offset, 0), Int64(data.count)))
            try data.dropFirst(start).withUnsafeBytes { try body($0) }
            return
        }
        guard let fallback else { throw LayoutError.blobNotFound(descriptor.digest) }
        try fallback.readBlob(descriptor, from: offset, into: body)
    }

    /// None: what this source holds is new.
    func referrers(of digest: Digest) -> [Referrer] { [] }
}
