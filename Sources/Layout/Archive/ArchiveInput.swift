// SPDX-License-Identifier: Apache-2.0

/// The bytes of an archive as libarchive reads them, from a file or standard input. A gzip or zstd archive is
/// decompressed here rather than by libarchive, whose gzip reader checks no CRC and stops at the tar end marker:
/// every checksum is verified, and `drain()` reads the stream to its very end, so a corrupt or truncated
/// compressed stream, or garbage after it, is an error instead of being ignored. Anything else (a plain tar,
/// bzip2, xz) is passed through unchanged.
///
/// Confined to one task at a time.
final class ArchiveInput {
    static let blockSize = 1 << 20

    /// Reads the next raw bytes into a buffer; 0 at the end.
    private let readSource: (UnsafeMutableRawBufferPointer) throws(LayoutError) -> Int
    /// How messages name the archive.
    let name: String
    /// The compression decoded here (`.none`: passed through).
    let compression: Compression
    private let decoder: (any StreamDecoder)?
    private let raw = UnsafeMutableRawBufferPointer.allocate(byteCount: ArchiveInput.blockSize, alignment: 16)
    private let decoded = UnsafeMutableRawBufferPointer.allocate(byteCount: ArchiveInput.blockSize, alignment: 16)
    /// The raw bytes read but not yet consumed: `raw[start..<end]`.
    private var start = 0
    private var end = 0
    private var finished = false
    /// The error a read failed with, kept for the reader (libarchive only passes on its text).
    private(set) var failure: LayoutError?

    /// Reads the first bytes of `source` to recognise its compression; they are delivered by the first `read()`.
    convenience init(source: FileDescriptor, name: String) throws(LayoutError) {
        try self.init(name: name) { (buffer) throws(LayoutError) in try source.read(into: buffer) }
    }

    /// Reads through `read` (the next raw bytes into a buffer, 0 at the end): a blob stream, say.
    init(name: String, read: @escaping (UnsafeMutableRawBufferPointer) throws(LayoutError) -> Int) throws(LayoutError) {
        self.readSource = read
        self.name = name
        while end < 8 {
            let count = try read(UnsafeMutableRawBufferPointer(rebasing: raw[end...]))
            if count == 0 { break }
            end += count
        }
        compression = Compression(magic: UnsafeRawBufferPointer(rebasing: raw[..<end]))
        decoder = compression.decoder()
    }

    deinit {
        raw.deallocate()
        decoded.deallocate()
    }

    /// The next bytes of the (decompressed) stream; empty at its end. The buffer stays valid until the next call.
    /// - Throws: `LayoutError.io` when reading fails, `.archiveMismatch` for a checksum that does not match, and
    ///   `.archive` for a truncated, corrupt or trailing-garbage compressed stream.
    func read() throws(LayoutError) -> UnsafeRawBufferPointer {
        do throws(LayoutError) {
            guard let decoder else { return try nextRaw(consume: true) }
            while true {
                let input = UnsafeRawBufferPointer(rebasing: raw[start..<end])
                let (consumed, produced): (Int, Int)
                do { (consumed, produced) = try decoder.step(input: input, output: decoded) } catch {
                    throw LayoutError.compressedStream(name, error)
                }
                start += consumed
                if produced > 0 { return UnsafeRawBufferPointer(rebasing: decoded[..<produced]) }
                guard consumed == 0 else { continue }
                guard start == end else { throw LayoutError.compressedStream(name, .corrupt("the decoder is stuck")) }
                if try nextRaw(consume: false).isEmpty {
                    do { try decoder.finish() } catch { throw LayoutError.compressedStream(name, error) }
                    return UnsafeRawBufferPointer(start: nil, count: 0)
                }
            }
        } catch {
            failure = error
            throw error
        }
    }

    /// Reads (and checks) whatever is left of the stream, after the tar end marker.
    func drain() throws(LayoutError) {
        while !(try read().isEmpty) {}
    }

    /// Refills the raw buffer when it is used up and returns its unconsumed bytes (empty at the end of the
    /// source); `consume` marks them consumed.
    private func nextRaw(consume: Bool) throws(LayoutError) -> UnsafeRawBufferPointer {
        if start == end, !finished {
            start = 0
            end = try readSource(raw)
            finished = end == 0
        }
        let bytes = UnsafeRawBufferPointer(rebasing: raw[start..<end])
        if consume { start = end }
        return bytes
    }
}
