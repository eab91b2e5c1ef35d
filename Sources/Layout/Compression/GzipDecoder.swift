// SPDX-License-Identifier: Apache-2.0
import CZlib

/// Decodes gzip through zlib, which checks every member's CRC-32 and length. The one Layout file that touches
/// zlib.
///
/// Confined to one task at a time.
final class GzipDecoder: StreamDecoder {
    /// zlib keeps a pointer back to its stream, so the stream lives at a fixed address.
    private let stream: UnsafeMutablePointer<z_stream>
    private var members = 0
    private var memberEnded = false

    init() {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        // 16 + 15: gzip framing only, the largest window.
        let status = ocitool_zlib_inflate_init2(stream, 16 + MAX_WBITS)
        precondition(status == Z_OK, "inflateInit2 failed: \(status)")
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
    }

    func step(input: UnsafeRawBufferPointer, output: UnsafeMutableRawBufferPointer) throws(StreamDecodeError)
        -> (consumed: Int, produced: Int)
    {
        if memberEnded {
            // Another member may follow; nothing pending otherwise.
            guard !input.isEmpty else { return (0, 0) }
            inflateReset(stream)
            memberEnded = false
        }
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = uInt(input.count)
        stream.pointee.next_out = output.baseAddress?.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_out = uInt(output.count)
        let status = inflate(stream, Z_NO_FLUSH)
        let consumed = input.count - Int(stream.pointee.avail_in)
        let produced = output.count - Int(stream.pointee.avail_out)
        switch status {
        case Z_STREAM_END:
            members += 1
            memberEnded = true
        case Z_OK, Z_BUF_ERROR:
            break  // Z_BUF_ERROR: no progress was possible without more input.
        default:
            let message = stream.pointee.msg.map { String(cString: $0) } ?? "zlib error \(status)"
            if message.hasPrefix("incorrect data check") || message.hasPrefix("incorrect length check") {
                throw .checksum("gzip: \(message)")
            }
            // A member's header is 10 bytes at least: failing inside one that follows a whole member means the
            // bytes after the stream are not gzip.
            if members > 0, stream.pointee.total_in <= 10 { throw .trailingData("gzip") }
            throw .corrupt("gzip: \(message)")
        }
        return (consumed, produced)
    }

    func finish() throws(StreamDecodeError) {
        guard members > 0, memberEnded else { throw .truncated("gzip") }
    }
}
