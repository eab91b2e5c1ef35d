// SPDX-License-Identifier: Apache-2.0
import Glibc

/// Reads an opened blob (`BlobHandle`) in chunks or ranges, for streaming it elsewhere without holding it in
/// memory. Reads are positional, so one reader may serve several ranges.
public final class BlobReader: Sendable {
    /// Preferred chunk size for copying blobs.
    public static let chunkSize = 1 << 20
    /// The opened blob.
    public let handle: any BlobHandle

    /// Reads `handle`.
    public init(_ handle: any BlobHandle) { self.handle = handle }

    /// Opens a file as a blob.
    convenience init(path: String) throws(LayoutError) { self.init(try FileBlob(path: path)) }

    /// The blob's size.
    public var size: Int64 { handle.size }

    /// Calls `body` with each successive chunk until the end of the blob.
    public func forEachChunk(_ body: (UnsafeRawBufferPointer) throws(LayoutError) -> Void) throws(LayoutError) {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: BlobReader.chunkSize, alignment: 16)
        defer { buffer.deallocate() }
        var offset: Int64 = 0
        while true {
            let count = try handle.read(into: buffer, at: offset)
            if count == 0 { return }
            offset += Int64(count)
            try body(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
        }
    }

    /// Reads up to `buffer.count` bytes at `offset`; 0 at the end of the blob.
    public func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws(LayoutError) -> Int {
        try handle.read(into: buffer, at: offset)
    }

    /// Fills `buffer` with the bytes at `offset`.
    /// - Throws: `LayoutError.io` on a read error, or (EIO) when the blob ends first: a broken store must not
    ///   make a caller send fewer bytes than it announced.
    public func readExactly(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws(LayoutError) {
        var done = 0
        while done < buffer.count {
            let rest = UnsafeMutableRawBufferPointer(rebasing: buffer[done...])
            let count = try handle.read(into: rest, at: offset + Int64(done))
            guard count > 0 else { throw .io("read", path: handle.file?.path ?? "blob", errno: EIO) }
            done += count
        }
    }

    /// The open file behind the blob, for zero-copy transfers (`sendfile`, `copy_file_range`); nil when the
    /// storage has none.
    public var file: FileDescriptor? { handle.file }

    /// The raw descriptor of `file`, -1 when there is none.
    public var fileDescriptor: Int32 { handle.file?.raw ?? -1 }
}
