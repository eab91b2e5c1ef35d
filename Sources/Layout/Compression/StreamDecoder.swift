// SPDX-License-Identifier: Apache-2.0

/// Why a compressed stream was refused.
enum StreamDecodeError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A checksum in the stream does not match the data (gzip CRC-32 or length, zstd content checksum).
    case checksum(String)
    /// The stream ends inside a member or frame.
    case truncated(String)
    /// Bytes follow the last member or frame that do not start another one.
    case trailingData(String)
    /// Anything else the library refused.
    case corrupt(String)

    var description: String {
        switch self {
        case .checksum(let detail): "the data does not match the stream's checksum (\(detail))"
        case .truncated(let format): "the \(format) stream ends early (truncated)"
        case .trailingData(let format): "bytes that are not \(format) data follow the end of the \(format) stream"
        case .corrupt(let detail): "the stream is corrupt (\(detail))"
        }
    }
}

/// Decompresses a stream step by step into a caller's buffer, so memory stays bounded whatever the ratio.
/// Concatenated gzip members and zstd frames are one stream, as gzip(1) and zstd(1) read them.
///
/// Confined to one task at a time.
protocol StreamDecoder: AnyObject {
    /// Decompresses from `input` into `output`.
    /// - Returns: the input bytes consumed and the output bytes produced; both zero means the decoder needs more
    ///   input (or, with empty input, has nothing pending).
    func step(input: UnsafeRawBufferPointer, output: UnsafeMutableRawBufferPointer) throws(StreamDecodeError)
        -> (consumed: Int, produced: Int)

    /// Checks that the input seen so far is a whole stream.
    /// - Throws: `.truncated` when it stops inside a member or frame, or there was none.
    func finish() throws(StreamDecodeError)
}

extension StreamDecoder {
    /// Decompresses all of `input`, handing each decompressed piece to `body` through the bounded `scratch` buffer.
    func decode(
        _ input: UnsafeRawBufferPointer, scratch: UnsafeMutableRawBufferPointer,
        _ body: (UnsafeRawBufferPointer) -> Void
    ) throws(StreamDecodeError) {
        var offset = 0
        while true {
            let rest = UnsafeRawBufferPointer(rebasing: input[offset...])
            let (consumed, produced) = try step(input: rest, output: scratch)
            offset += consumed
            if produced > 0 { body(UnsafeRawBufferPointer(rebasing: scratch[..<produced])) }
            if consumed == 0, produced == 0 { return }
        }
    }
}

extension LayoutError {
    /// The error for a compressed stream `name` that failed to decode: a checksum that does not match is a failed
    /// verification, anything else a malformed archive.
    static func compressedStream(_ name: String, _ error: StreamDecodeError) -> LayoutError {
        if case .checksum = error { return .archiveMismatch("\(name): \(error)") }
        return .archive("\(name): \(error)")
    }
}
