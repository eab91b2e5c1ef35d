// SPDX-License-Identifier: Apache-2.0

/// Compression of a layer or archive.
public enum Compression: String, Sendable, CaseIterable {
    case none, gzip, zstd

    /// The compression whose magic number `bytes` starts with; `.none` for anything else (a plain tar, or
    /// bzip2 and xz, which ocitool leaves to libarchive).
    public init(magic bytes: some Collection<UInt8>) {
        if bytes.starts(with: [0x1F, 0x8B]) {
            self = .gzip
        } else if bytes.starts(with: [0x28, 0xB5, 0x2F, 0xFD]) {
            self = .zstd
        } else {
            self = .none
        }
    }

    /// A decoder for this compression, nil for `.none`. ocitool decodes gzip and zstd itself, so that every
    /// integrity field (gzip's CRC-32 and length, zstd's content checksum) is checked and a stream is known to
    /// end where its last member or frame ends.
    func decoder() -> (any StreamDecoder)? {
        switch self {
        case .none: nil
        case .gzip: GzipDecoder()
        case .zstd: ZstdDecoder()
        }
    }
}
