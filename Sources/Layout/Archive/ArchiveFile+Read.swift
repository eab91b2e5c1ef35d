// SPDX-License-Identifier: Apache-2.0
import Foundation

extension ArchiveFile {
    /// Bytes handed to `body` per call when the content is read from a file.
    static let readChunkSize = 1 << 20

    /// Streams the content from `offset` to its end, in order, to `body` (what an `ArchiveSource` serves).
    /// - Throws: `LayoutError.io` when the file cannot be read, `.archive` when it ends early (the archive was
    ///   truncated after it was read), and whatever `body` throws.
    func read(from offset: Int64, into body: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard offset < size else { return }
        let file: FileDescriptor
        let start: Int64
        switch content {
        case .memory(let data):
            try data.withUnsafeBytes { (bytes) in
                try body(UnsafeRawBufferPointer(rebasing: bytes[Int(offset)...]))
            }
            return
        case .staged(let staged):
            file = try FileDescriptor(path: staged.location, flags: O_RDONLY)
            start = 0
        case .range(let descriptor, let position):
            file = descriptor
            start = position
        }
        let buffer = UnsafeMutableRawBufferPointer.allocate(
            byteCount: Int(min(Int64(Self.readChunkSize), size - offset)), alignment: 16)
        defer { buffer.deallocate() }
        var position = offset
        while position < size {
            let wanted = Int(min(Int64(buffer.count), size - position))
            let count = try file.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[..<wanted]), at: start + position)
            guard count > 0 else {
                throw LayoutError.archive("\(file.path) ends before the archive member it held (was it truncated?)")
            }
            try body(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
            position += Int64(count)
        }
    }
}
