// SPDX-License-Identifier: Apache-2.0
import Glibc
public import Layout

extension LayoutEndpoint: ImageSource {
    public func resolve(_ selector: ImageReference.Selector?) throws(SyncError) -> Descriptor {
        try layoutCall { () throws(LayoutError) in try layout.resolve(selector) }
    }

    public func manifest(_ descriptor: Descriptor) throws(SyncError) -> Manifest {
        try layoutCall { () throws(LayoutError) in try layout.manifest(descriptor) }
    }

    public func readBlob(
        _ descriptor: Descriptor, from offset: Int64, into body: (UnsafeRawBufferPointer) throws(SyncError) -> Void
    ) throws(SyncError) {
        let stream = try openBlob(descriptor, from: offset)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: BlobReader.chunkSize, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let count = try stream.read(into: buffer)
            if count == 0 { return }
            try body(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
        }
    }

    /// The blob file itself, read with `pread` (no thread, no copy through a pipe).
    public func openBlob(_ descriptor: Descriptor, from offset: Int64) throws(SyncError) -> any BlobStream {
        let reader = try layoutCall { () throws(LayoutError) in try layout.openBlob(descriptor.digest) }
        return FileBlobStream(reader: reader, offset: offset)
    }

    /// The layout's referrers (subject annotations and fallback tags in index.json), plus manifests under
    /// cosign's legacy tags.
    public func referrers(of digest: Digest) throws(SyncError) -> [Referrer] {
        var result = try layoutCall { () throws(LayoutError) in try layout.referrers(of: digest) }
            .map { Referrer(descriptor: $0) }
        let index = try layoutCall { () throws(LayoutError) in try layout.readIndex() }
        for (tag, type) in Referrer.cosignTags(of: digest) {
            guard var entry = index.entry(tagged: tag) else { continue }
            guard !result.contains(where: { $0.descriptor.digest == entry.digest }) else { continue }
            entry.annotations?.removeValue(forKey: Annotation.refName)
            if entry.annotations?.isEmpty == true { entry.annotations = nil }
            entry.artifactType = type
            result.append(Referrer(descriptor: entry, legacyTag: tag))
        }
        return result
    }
}
