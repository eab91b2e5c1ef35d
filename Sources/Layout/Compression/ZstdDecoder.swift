// SPDX-License-Identifier: Apache-2.0
import CZstd

/// Decodes zstd through libzstd, which checks each frame's content checksum when the frame carries one (zstd(1)
/// writes it by default). The one Layout file that touches libzstd.
///
/// Confined to one task at a time.
final class ZstdDecoder: StreamDecoder {
    private let context: OpaquePointer
    private var frames = 0
    private var frameComplete = false

    init() {
        guard let context = ZSTD_createDCtx() else { fatalError("ZSTD_createDCtx: out of memory") }
        self.context = context
    }

    deinit { ZSTD_freeDCtx(context) }

    func step(input: UnsafeRawBufferPointer, output: UnsafeMutableRawBufferPointer) throws(StreamDecodeError)
        -> (consumed: Int, produced: Int)
    {
        var source = ZSTD_inBuffer(src: input.baseAddress, size: input.count, pos: 0)
        var destination = ZSTD_outBuffer(dst: output.baseAddress, size: output.count, pos: 0)
        let result = ZSTD_decompressStream(context, &destination, &source)
        if ZSTD_isError(result) != 0 {
            let message = String(cString: ZSTD_getErrorName(result))
            switch ZSTD_getErrorCode(result) {
            case ZSTD_error_checksum_wrong: throw .checksum("zstd: \(message)")
            case ZSTD_error_prefix_unknown where frameComplete && frames > 0: throw .trailingData("zstd")
            default: throw .corrupt("zstd: \(message)")
            }
        }
        // 0: a frame is decoded and flushed. Empty input at a frame boundary leaves that state as it is.
        if result == 0 {
            if !frameComplete || source.pos > 0 { frames += 1 }
            frameComplete = true
        } else if source.pos > 0 {
            frameComplete = false
        }
        return (source.pos, destination.pos)
    }

    func finish() throws(StreamDecodeError) {
        guard frames > 0, frameComplete else { throw .truncated("zstd") }
    }
}
