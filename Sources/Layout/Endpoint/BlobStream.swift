// SPDX-License-Identifier: Apache-2.0
import Glibc

/// A blob's bytes pulled in pieces, as an upload's read callback wants them. Used by one thread at a time.
public protocol BlobStream: AnyObject {
    /// Fills `buffer` with the next bytes.
    /// - Returns: how many bytes were written; 0 at the end of the blob.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
    /// Releases the stream early (an upload failed); further reads are not allowed.
    func close()
}

/// A blob of a layout read from `offset` with `pread`.
final class FileBlobStream: BlobStream {
    private let reader: BlobReader
    private var offset: Int64

    /// - Parameters:
    ///   - reader: the open blob (kept open by this stream).
    ///   - offset: where to start.
    init(reader: BlobReader, offset: Int64) {
        self.reader = reader
        self.offset = offset
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(LayoutError) -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        while true {
            let count = pread(reader.fileDescriptor, base, buffer.count, off_t(offset))
            if count >= 0 {
                offset += Int64(count)
                return count
            }
            guard errno == EINTR else { throw .io("read", path: "blob", errno: errno) }
        }
    }

    func close() {}
}
