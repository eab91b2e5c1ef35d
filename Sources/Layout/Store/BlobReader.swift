// SPDX-License-Identifier: Apache-2.0
import Glibc

/// Reads a blob in chunks, for streaming it elsewhere without holding it in memory.
public final class BlobReader {
    /// Preferred chunk size for copying blobs.
    public static let chunkSize = 1 << 20
    private let file: FileDescriptor
    /// The blob's size.
    public let size: Int64

    init(path: String) throws(LayoutError) {
        file = try FileDescriptor(path: path, flags: O_RDONLY)
        size = try file.size()
        posix_fadvise(file.raw, 0, 0, POSIX_FADV_SEQUENTIAL)
    }

    /// Calls `body` with each successive chunk until the end of the blob.
    public func forEachChunk(_ body: (UnsafeRawBufferPointer) throws(LayoutError) -> Void) throws(LayoutError) {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: BlobReader.chunkSize, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let count = try file.read(into: buffer)
            if count == 0 { return }
            try body(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
        }
    }

    /// The raw descriptor, for zero-copy transfers (sendfile, copy_file_range).
    public var fileDescriptor: Int32 { file.raw }
}
