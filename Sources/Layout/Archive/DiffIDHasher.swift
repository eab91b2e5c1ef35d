// SPDX-License-Identifier: Apache-2.0

/// Hashes an archive entry's content as it would be once decompressed, while the entry is read: a gzip or zstd
/// layer's diff ID (the digest of the uncompressed tar) without a second read. Content that is not compressed
/// needs nothing: its diff ID is its digest.
///
/// Confined to one task at a time.
final class DiffIDHasher {
    private enum State {
        case undecided
        case plain
        case decoding(any StreamDecoder, DigestHasher, UnsafeMutableRawBufferPointer)
        case failed(StreamDecodeError)
    }

    private static let scratchSize = 256 * 1024
    private var state = State.undecided

    deinit {
        if case .decoding(_, _, let scratch) = state { scratch.deallocate() }
    }

    /// Adds the next piece of the content; the first piece decides whether it is compressed.
    func update(_ chunk: UnsafeRawBufferPointer) {
        if case .undecided = state {
            guard let decoder = Compression(magic: chunk).decoder() else {
                state = chunk.isEmpty ? .undecided : .plain
                return
            }
            let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.scratchSize, alignment: 16)
            state = .decoding(decoder, DigestHasher(), scratch)
        }
        guard case .decoding(let decoder, let hasher, let scratch) = state else { return }
        do { try decoder.decode(chunk, scratch: scratch) { hasher.update($0) } } catch {
            scratch.deallocate()
            state = .failed(error)
        }
    }

    /// What the content's diff ID is.
    func finalize() -> ArchiveFile.DiffID {
        switch state {
        case .undecided, .plain: return .content
        case .failed(let error): return .undecodable(error)
        case .decoding(let decoder, let hasher, let scratch):
            scratch.deallocate()
            state = .plain
            do { try decoder.finish() } catch { return .undecodable(error) }
            return .decoded(hasher.finalize())
        }
    }
}
