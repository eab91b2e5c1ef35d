// SPDX-License-Identifier: Apache-2.0
import Foundation

/// Bytes held in memory (a small inline blob, such as the empty config) read from `offset`.
final class DataBlobStream: BlobStream {
    private let data: Data
    private var offset: Int

    init(_ data: Data, offset: Int64) {
        self.data = data
        self.offset = Int(min(offset, Int64(data.count)))
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        let count = min(buffer.count, data.count - offset)
        guard count > 0 else { return 0 }
        data.withUnsafeBytes { (bytes) in
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + count]))
        }
        offset += count
        return count
    }

    func close() {}
}
