// SPDX-License-Identifier: Apache-2.0

/// One 512-byte tar header block, read only to confirm where an entry's content starts (libarchive parses
/// archives; this checks one header it already parsed).
struct TarHeaderBlock {
    static let size = 512
    let bytes: [UInt8]

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Whether this is a well-formed header (its checksum matches) of a regular file of `size` bytes.
    func declaresRegularFile(size: Int64) -> Bool {
        guard bytes.count == Self.size, [UInt8(ascii: "0"), 0, UInt8(ascii: "7")].contains(bytes[156]),
            let checksum = octal(148..<156), let declared = self.declaredSize
        else { return false }
        var unsigned: Int64 = 0
        var signed: Int64 = 0
        for (index, byte) in bytes.enumerated() {
            let counted = (148..<156).contains(index) ? 32 : byte  // the checksum field counts as spaces
            unsigned += Int64(counted)
            signed += Int64(Int8(bitPattern: counted))
        }
        return (checksum == unsigned || checksum == signed) && declared == size
    }

    /// The size field: octal digits, or base-256 when its first byte has the high bit set.
    private var declaredSize: Int64? {
        let field = 124..<136
        guard bytes[field.lowerBound] & 0x80 != 0 else { return octal(field) }
        var value: Int64 = Int64(bytes[field.lowerBound] & 0x7F)
        for byte in bytes[(field.lowerBound + 1)..<field.upperBound] {
            guard value < Int64.max >> 8 else { return nil }
            value = value << 8 | Int64(byte)
        }
        return value
    }

    /// An octal field: optional leading spaces, digits, then NUL or space padding.
    private func octal(_ range: Range<Int>) -> Int64? {
        var value: Int64 = 0
        var digits = 0
        for byte in bytes[range].drop(while: { $0 == 32 }) {
            if byte == 0 || byte == 32 { break }
            guard (48...55).contains(byte), value < Int64.max >> 3 else { return nil }
            value = value << 3 | Int64(byte - 48)
            digits += 1
        }
        return digits > 0 ? value : nil
    }
}
