// SPDX-License-Identifier: Apache-2.0
import Foundation

extension ArchiveDestination: ImageDestination {
    /// Whether the archive already holds the blob (written earlier in this copy).
    public func hasBlob(_ descriptor: Descriptor) -> Bool {
        withState { $0.written[descriptor.digest] == descriptor.size }
    }

    /// Writes the blob as one tar member, streamed from `source` and hashed on the way.
    /// - Throws: `LayoutError.digestMismatch` or `.sizeMismatch` when the bytes are not the blob's (the archive
    ///   is then abandoned: every later call fails), the source's errors unchanged, `.archive`/`.io` when writing.
    public func putBlob(_ descriptor: Descriptor, from source: any ImageSource, progress: (@Sendable (Int64) -> Void)?)
        throws -> BlobTransfer
    {
        lock.lock()
        defer { lock.unlock() }
        try checkOpen()
        let digest = descriptor.digest
        guard state.written[digest] == nil else { return .copied }
        do {
            let name = try memberName(for: descriptor)
            if let writer {
                try writer.beginFile(name, size: descriptor.size)
                let hasher = DigestHasher(digest.algorithm)
                var count: Int64 = 0
                try source.readBlob(descriptor, from: 0) { (bytes) in
                    count += Int64(bytes.count)
                    guard count <= descriptor.size else {
                        throw LayoutError.sizeMismatch(digest, expected: descriptor.size, actual: count)
                    }
                    hasher.update(bytes)
                    try writer.writeData(bytes)
                    progress?(Int64(bytes.count))
                }
                guard count == descriptor.size else {
                    throw LayoutError.sizeMismatch(digest, expected: descriptor.size, actual: count)
                }
                let actual = hasher.finalize()
                guard actual == digest else { throw LayoutError.digestMismatch(expected: digest, actual: actual) }
                try writer.endFile()
            }
        } catch {
            state.abandon(because: error, description)
            throw error
        }
        state.written[digest] = descriptor.size
        state.bytes += descriptor.size
        return .copied
    }

    /// oci-archive: writes the manifest as a blob (once) and lists a root in index.json, under its tag if it has
    /// one. docker-archive: records an image for manifest.json (its config and layers must be written already).
    /// - Throws: `LayoutError.invalidArgument` for a tag already given to another image; docker-archive:
    ///   `.unsupported` for an index, an artifact or a foreign layer the source does not hold.
    @discardableResult
    public func putManifest(_ manifest: Manifest, digest: Digest, as role: ManifestRole) throws(LayoutError) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        try checkOpen()
        do throws(LayoutError) {
            switch format {
            case .ociArchive: return try putOCIManifest(manifest, digest: digest, as: role)
            case .dockerArchive: return try putDockerImage(manifest, digest: digest, as: role)
            }
        } catch {
            state.abandon(because: error, description)
            throw error
        }
    }

    /// Writes the metadata files and moves the archive into place.
    /// - Throws: the failure that abandoned the destination earlier, `.invalidArgument` when it was finished already,
    ///   `.archive`/`.io` when writing fails (the temporary file is then removed).
    public func finish() throws(LayoutError) {
        lock.lock()
        defer { lock.unlock() }
        try checkOpen()
        do throws(LayoutError) {
            switch format {
            case .ociArchive:
                let index = ImageIndex(mediaType: .ociIndex, manifests: state.entries)
                try addFile("index.json", try Self.encode(index))
                try addFile("oci-layout", Data(#"{"imageLayoutVersion":"1.0.0"}"#.utf8))
            case .dockerArchive:
                try addFile("manifest.json", try Self.encode(state.images.map(\.image)))
                if !state.repositories.isEmpty { try addFile("repositories", try Self.encode(state.repositories)) }
            }
            try writer?.finish()
            if let temporary {
                try FileDescriptor(path: temporary, flags: O_RDONLY).sync()
                try FileSystem.rename(temporary, to: path)
                state.finished = true
                try FileSystem.syncDirectory(FileSystem.parentDirectory(of: path))
            }
            state.finished = true
        } catch {
            state.abandon(because: error, description)
            if let temporary, !state.finished { unlink(temporary) }
            throw error
        }
    }

    /// A docker archive holds no referrers.
    public var keepsReferrers: Bool { format == .ociArchive }

    /// Refuses calls once the archive failed (with the failure that abandoned it, so that parallel writers all
    /// report the cause) or was finished (callers hold the lock).
    func checkOpen() throws(LayoutError) {
        if let failure = state.failure { throw failure }
        if state.finished { throw .invalidArgument("\(description) is finished already") }
    }

    /// The member a blob is written as (its directory entries added first).
    private func memberName(for descriptor: Descriptor) throws(LayoutError) -> String {
        let digest = descriptor.digest
        switch format {
        case .ociArchive:
            try addDirectory("blobs/\(digest.algorithm.rawValue)/")
            return digest.blobPath
        case .dockerArchive:
            if [MediaType.ociConfig, .dockerConfig].contains(descriptor.mediaType) { return "\(digest.encoded).json" }
            try addDirectory("\(digest.encoded)/")
            return "\(digest.encoded)/layer.tar"
        }
    }

    /// JSON that ocitool creates, with the one encoder.
    static func encode(_ value: some Encodable) throws(LayoutError) -> Data {
        do { return try JSONEncoder.ocitool.encode(value) } catch {
            throw .invalidArgument("cannot encode archive metadata: \(error)")
        }
    }
}
