// SPDX-License-Identifier: Apache-2.0
import Layout

/// A blob's bytes pulled in pieces, as an upload's read callback wants them. Used by one thread at a time.
public protocol BlobStream: AnyObject {
    /// Fills `buffer` with the next bytes.
    /// - Returns: how many bytes were written; 0 at the end of the blob.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(SyncError) -> Int
    /// Releases the stream early (an upload failed); further reads are not allowed.
    func close()
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

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(SyncError) -> Int {
        guard buffer.count > 0 else { return 0 }
        do throws(LayoutError) {
            let count = try reader.read(into: buffer, at: offset)
            offset += Int64(count)
            return count
        } catch {
            throw .layout(error)
        }
    }

    func close() {}
}

/// A window of at most `length` bytes of another stream, which stays open (one PATCH of a chunked upload).
final class WindowStream: BlobStream {
    private let base: any BlobStream
    private var remaining: Int64

    init(_ base: any BlobStream, length: Int64) {
        self.base = base
        self.remaining = length
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(SyncError) -> Int {
        guard remaining > 0 else { return 0 }
        let limit = Int(min(Int64(buffer.count), remaining))
        let count = try base.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[..<limit]))
        remaining -= Int64(count)
        return count
    }

    func close() {}
}

/// Reports progress for bytes read beyond the furthest point reached so far, so re-reading after a retry
/// never counts twice.
final class ProgressStream: BlobStream {
    private let base: any BlobStream
    private var position: Int64
    private let highWater: Locked<Int64>
    private let progress: (@Sendable (Int64) -> Void)?

    init(_ base: any BlobStream, offset: Int64, highWater: Locked<Int64>, progress: (@Sendable (Int64) -> Void)?) {
        self.base = base
        self.position = offset
        self.highWater = highWater
        self.progress = progress
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(SyncError) -> Int {
        let count = try base.read(into: buffer)
        position += Int64(count)
        let end = position
        let fresh = highWater.withLock { (mark: inout Int64) -> Int64 in
            defer { mark = max(mark, end) }
            return max(0, end - mark)
        }
        if fresh > 0 { progress?(fresh) }
        return count
    }

    func close() { base.close() }
}
