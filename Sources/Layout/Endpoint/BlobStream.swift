// SPDX-License-Identifier: Apache-2.0
/// A blob's bytes pulled in pieces, as an upload's read callback wants them. Used by one thread at a time.
public protocol BlobStream: AnyObject {
    /// Fills `buffer` with the next bytes.
    /// - Returns: how many bytes were written; 0 at the end of the blob.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
    /// Releases the stream early (an upload failed); further reads are not allowed.
    func close()
}

extension BlobStream {
    /// Reads the stream to its end in `BlobReader.chunkSize` pieces, handing each to `body` (a source's
    /// `readBlob` over its own `openBlob`).
    func forEachPiece(_ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: BlobReader.chunkSize, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let count = try read(into: buffer)
            if count == 0 { return }
            try body(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
        }
    }
}

/// A blob of a layout read from `offset` (positional reads of the opened blob).
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
        guard buffer.count > 0 else { return 0 }
        let count = try reader.read(into: buffer, at: offset)
        offset += Int64(count)
        return count
    }

    func close() {}
}
