// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout

/// A blob in the bucket, read as the version opened (`If-Match` on its ETag). Sequential reads, the way blobs
/// are served and copied, come from one `GET` streaming into a bounded pipe on a thread of its own, so a 1 GiB
/// blob is one request and memory stays at the pipe's 2 MiB; a read elsewhere starts a new stream there (a
/// ranged request from a client), and a handle let go of mid-blob aborts its transfer.
struct S3Blob: BlobHandle {
    let client: S3Client
    let key: String
    let digest: Digest
    let info: S3Client.ObjectInfo
    private let stream = Stream()

    init(client: S3Client, key: String, digest: Digest, info: S3Client.ObjectInfo) {
        self.client = client
        self.key = key
        self.digest = digest
        self.info = info
    }

    var size: Int64 { info.size }
    var file: FileDescriptor? { nil }

    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws(LayoutError) -> Int {
        guard offset < size, buffer.count > 0 else { return 0 }
        return try stream.read(into: buffer, at: offset) { (offset) in
            BlobPipe.start { [client, key, info, digest] (pipe) in
                let found = try client.get(key, range: offset..<info.size, ifMatch: info.etag) { (bytes) in
                    (try? pipe.write(bytes)) != nil
                }
                // Gone, or replaced by other bytes under the same key: this version cannot be read any more.
                if found == nil { throw LayoutError.blobNotFound(digest) }
            }
        }
    }

    /// The stream reads continue from: where it stands, behind a lock (a handle may be read from one thread,
    /// then another).
    private final class Stream: @unchecked Sendable {
        private let lock = NSLock()
        private var pipe: BlobPipe?
        private var position: Int64 = 0

        deinit { pipe?.close() }

        /// Fills `buffer` from `offset` (to the end of the blob at most), starting a stream there with `start`
        /// unless the current one stands at `offset`.
        func read(
            into buffer: UnsafeMutableRawBufferPointer, at offset: Int64, start: (Int64) -> BlobPipe
        ) throws(LayoutError) -> Int {
            lock.lock()
            defer { lock.unlock() }
            if pipe == nil || position != offset {
                pipe?.close()
                pipe = start(offset)
                position = offset
            }
            guard let pipe else { return 0 }
            var filled = 0
            do {
                while filled < buffer.count {
                    let count = try pipe.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
                    if count == 0 { break }
                    filled += count
                }
            } catch {
                self.pipe = nil
                pipe.close()
                throw error as? LayoutError ?? .io("read", path: "\(error)", errno: EIO)
            }
            position += Int64(filled)
            return filled
        }
    }
}
