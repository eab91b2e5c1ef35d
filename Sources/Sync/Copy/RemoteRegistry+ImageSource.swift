// SPDX-License-Identifier: Apache-2.0
public import Layout

extension RemoteRegistry: ImageSource {
    /// The manifest's descriptor by HEAD; no selector means `latest`.
    public func resolve(_ selector: ImageReference.Selector?) throws(SyncError) -> Descriptor {
        let reference = selector ?? .tag("latest")
        guard let descriptor = try client.manifestDescriptor(repository, reference) else {
            throw .notFound("manifest \(reference) not found in \(client.registry)/\(repository)")
        }
        return descriptor
    }

    public func manifest(_ descriptor: Descriptor) throws(SyncError) -> Manifest {
        try client.fetchManifest(repository, .digest(descriptor.digest)).manifest
    }

    /// Streams with resume (`Range`) after broken connections; not verified here (the destination verifies).
    public func readBlob(
        _ descriptor: Descriptor, from offset: Int64, into body: (UnsafeRawBufferPointer) throws(SyncError) -> Void
    ) throws(SyncError) {
        try client.fetchBlob(
            repository, descriptor.digest, size: descriptor.size, from: offset, verify: false, into: body)
    }

    /// Resumes with `Range: bytes=OFFSET-`; a registry answering with the whole blob makes it start over.
    public func readBlob(
        _ descriptor: Descriptor, from offset: Int64, restart: () throws(SyncError) -> Void,
        into body: (UnsafeRawBufferPointer) throws(SyncError) -> Void
    ) throws(SyncError) {
        try withoutActuallyEscaping(restart) { (restart) throws(SyncError) in
            try client.fetchBlob(
                repository, descriptor.digest, size: descriptor.size, from: offset, verify: false, restart: restart,
                into: body)
        }
    }

    public func referrers(of digest: Digest) throws(SyncError) -> [Referrer] {
        try client.referrers(repository, of: digest)
    }
}
