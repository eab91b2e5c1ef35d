// SPDX-License-Identifier: Apache-2.0
public import Layout

extension LayoutEndpoint: ImageDestination {
    public func hasBlob(_ descriptor: Descriptor) throws(SyncError) -> Bool {
        layout.blobSize(descriptor.digest) == descriptor.size
    }

    /// From another layout: `copyBlob` (a hard link on one filesystem, else a verified copy). From a registry:
    /// streamed into a `BlobWriter` and committed only when digest and size match.
    public func putBlob(_ descriptor: Descriptor, from source: any ImageSource, progress: (@Sendable (Int64) -> Void)?)
        throws(SyncError) -> BlobTransfer
    {
        if let other = source as? LayoutEndpoint {
            let copied = try layoutCall { () throws(LayoutError) in
                try layout.copyBlob(descriptor.digest, from: other.layout, progress: progress)
            }
            return copied > 0 ? .copied : .linked
        }
        let writer = try layoutCall { () throws(LayoutError) in
            try BlobWriter(layout: layout, algorithm: descriptor.digest.algorithm)
        }
        try source.readBlob(descriptor, from: 0) { (bytes) throws(SyncError) in
            try layoutCall { () throws(LayoutError) in try writer.write(bytes) }
            progress?(Int64(bytes.count))
        }
        try layoutCall { () throws(LayoutError) in
            try writer.finish(expected: descriptor.digest, expectedSize: descriptor.size).commit()
        }
        return .copied
    }

    /// A child is written as a blob once its references are checked (as `copyImage` does); a root goes
    /// through `putManifest` (listed in index.json, tagged when the role says so).
    @discardableResult
    public func putManifest(_ manifest: Manifest, digest: Digest, as role: ManifestRole) throws(SyncError) -> Bool {
        let present = layout.blobSize(digest) != nil
        try layoutCall { () throws(LayoutError) in
            switch role {
            case .child:
                try layout.checkReferences(of: manifest)
                try layout.writeBlob(manifest.bytes, expected: digest)
            case .root:
                try layout.putManifest(manifest.bytes, mediaType: manifest.mediaType, expected: digest)
            case .tagged(let tag):
                try layout.putManifest(manifest.bytes, mediaType: manifest.mediaType, tag: tag, expected: digest)
            }
        }
        return !present
    }
}
