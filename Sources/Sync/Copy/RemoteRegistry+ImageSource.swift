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
        _ descriptor: Descriptor, from offset: Int64, into body: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        try fetch(descriptor, from: offset, restart: nil, into: body)
    }

    /// Resumes with `Range: bytes=OFFSET-`; a registry answering with the whole blob makes it start over.
    public func readBlob(
        _ descriptor: Descriptor, from offset: Int64, restart: () throws -> Void,
        into body: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        try withoutActuallyEscaping(restart) { (restart) in
            try fetch(descriptor, from: offset, restart: restart, into: body)
        }
    }

    public func referrers(of digest: Digest) throws(SyncError) -> [Referrer] {
        try client.referrers(repository, of: digest)
    }

    /// This repository: a destination in the same registry mounts blobs from it.
    public var mountOrigin: MountOrigin? { MountOrigin(registry: client.origin, repository: repository) }

    /// `fetchBlob` with the destination's callbacks, whose own errors (a full disk) end the transfer and are
    /// rethrown as they were.
    private func fetch(
        _ descriptor: Descriptor, from offset: Int64, restart: (() throws -> Void)?,
        into body: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        var callbackFailure: (any Error)?
        let restarting: (() throws(SyncError) -> Void)?
        if let restart {
            restarting = { () throws(SyncError) in
                do { try restart() } catch {
                    callbackFailure = error
                    throw SyncError.cancelled
                }
            }
        } else {
            restarting = nil
        }
        do {
            try client.fetchBlob(
                repository, descriptor.digest, size: descriptor.size, from: offset, verify: false, restart: restarting,
                into: { (bytes) throws(SyncError) in
                    do { try body(bytes) } catch {
                        callbackFailure = error
                        throw SyncError.cancelled
                    }
                })
        } catch {
            throw callbackFailure ?? error
        }
    }
}
