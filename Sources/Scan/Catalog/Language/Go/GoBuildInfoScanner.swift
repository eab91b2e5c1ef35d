// SPDX-License-Identifier: Apache-2.0

/// Finds a Go binary's build info while its bytes stream past: the 32-byte header that begins with
/// `\xff Go buildinf:` at a 16-byte aligned offset, then (Go 1.18 and later, flag bit 2) the toolchain version and
/// the modinfo as varint-length strings right after it. Reading stops as soon as they are decoded.
///
/// Spec: Go's src/debug/buildinfo/buildinfo.go (`buildInfoMagic`, `buildInfoAlign`, `buildInfoHeaderSize`,
/// `decodeString`) and src/cmd/go/internal/modload (`infoStart`/`infoEnd`, the 16-byte framing of the modinfo).
struct GoBuildInfoScanner {
    enum Outcome: Hashable, Sendable {
        case found(GoBuildInfo)
        /// The pre-1.18 header, whose strings are pointers into the data segment: reading them needs random access.
        case pointerFormat
        /// The header was found but the file ended inside its strings.
        case truncated
        /// No Go build info (or not an executable format at all).
        case notGo
    }

    static let magic: [UInt8] = Array("\u{ff} Go buildinf:".unicodeScalars.map { UInt8($0.value) })
    static let alignment = 16
    static let headerSize = 32
    /// The longest version and modinfo strings accepted (modinfo lists every dependency module: tens of KiB).
    static let maximumVersion = 1 << 10
    static let maximumModinfo = 8 << 20

    /// Scans `file` front to back.
    static func scan(_ file: inout CatalogFile) throws -> Outcome {
        var window: [UInt8] = []
        var checkedFormat = false
        var outcome = Outcome.notGo
        var pending = false
        try file.forEachChunk { chunk in
            window.append(contentsOf: chunk)
            if !checkedFormat {
                guard window.count >= 4 else { return true }
                guard isExecutableFormat(window) else { return false }
                checkedFormat = true
            }
            pending = false
            var index = 0
            while let candidate = nextCandidate(in: window, from: index) {
                switch decode(window[candidate...]) {
                case .needMore:
                    pending = true
                    window.removeFirst(candidate)
                    return true
                case .invalid:
                    index = candidate + alignment
                case .result(let result):
                    outcome = result
                    return false
                }
            }
            // Every aligned offset before the last aligned one has been checked (its magic was whole).
            window.removeFirst(window.count - window.count % alignment)
            return true
        }
        if pending { return .truncated }
        return outcome
    }

    /// The first aligned offset at or after `start` where the whole magic is present.
    private static func nextCandidate(in window: [UInt8], from start: Int) -> Int? {
        window.withUnsafeBufferPointer { bytes in
            var index = start
            while index + magic.count <= bytes.count {
                if bytes[index] == 0xff, bytes[index + 1] == 0x20, bytes[index + 2] == 0x47,
                    magic.indices.allSatisfy({ bytes[index + $0] == magic[$0] })
                {
                    return index
                }
                index += alignment
            }
            return nil
        }
    }

    /// ELF, Mach-O (thin or universal), PE and XCOFF, from their first bytes.
    static func isExecutableFormat(_ bytes: [UInt8]) -> Bool {
        let head = bytes.prefix(4)
        let magics: [[UInt8]] = [
            [0x7f, 0x45, 0x4c, 0x46], [0xfe, 0xed, 0xfa, 0xce], [0xfe, 0xed, 0xfa, 0xcf], [0xce, 0xfa, 0xed, 0xfe],
            [0xcf, 0xfa, 0xed, 0xfe], [0xca, 0xfe, 0xba, 0xbe],
        ]
        if magics.contains(where: { head.elementsEqual($0) }) { return true }
        if head.starts(with: [0x4d, 0x5a]) { return true }  // PE: "MZ"
        return head.starts(with: [0x01, 0xdf]) || head.starts(with: [0x01, 0xf7])  // XCOFF 32/64
    }

    private enum Decoded {
        case needMore
        case invalid
        case result(Outcome)
    }

    /// Decodes the header that begins `bytes`.
    private static func decode(_ bytes: ArraySlice<UInt8>) -> Decoded {
        guard bytes.count >= headerSize else { return .needMore }
        let start = bytes.startIndex
        let pointerSize = bytes[start + 14]
        let flags = bytes[start + 15]
        guard pointerSize == 4 || pointerSize == 8, flags & ~3 == 0 else { return .invalid }
        guard flags & 2 != 0 else { return .result(.pointerFormat) }
        var position = start + headerSize
        let version: [UInt8]
        switch string(bytes, at: &position, limit: maximumVersion) {
        case .value(let value): version = value
        case let other: return other.decoded
        }
        guard version.starts(with: Array("go".utf8)) || version.starts(with: Array("devel".utf8)) else {
            return .invalid
        }
        switch string(bytes, at: &position, limit: maximumModinfo) {
        case .value(var modinfo):
            // Strip the framing: 16 sentinel bytes each side, the last one after a newline.
            if modinfo.count >= 33, modinfo[modinfo.count - 17] == UInt8(ascii: "\n") {
                modinfo = Array(modinfo[16..<modinfo.count - 16])
            } else {
                modinfo = []
            }
            let info = GoBuildInfo(
                goVersion: String(decoding: version, as: UTF8.self), modinfo: String(decoding: modinfo, as: UTF8.self))
            return .result(.found(info))
        case let other:
            return other.decoded
        }
    }

    private enum StringRead {
        case value([UInt8])
        case needMore
        case invalid

        var decoded: Decoded {
            switch self {
            case .value, .invalid: return .invalid
            case .needMore: return .needMore
            }
        }
    }

    /// A uvarint length and that many bytes at `position` (advanced past them).
    private static func string(_ bytes: ArraySlice<UInt8>, at position: inout Int, limit: Int) -> StringRead {
        var length = 0
        var shift = 0
        var index = position
        while true {
            guard index < bytes.endIndex else { return .needMore }
            let byte = bytes[index]
            index += 1
            length |= Int(byte & 0x7f) << shift
            if byte & 0x80 == 0 { break }
            shift += 7
            guard shift < 35 else { return .invalid }
        }
        guard length <= limit else { return .invalid }
        guard bytes.endIndex - index >= length else { return .needMore }
        position = index + length
        return .value(Array(bytes[index..<index + length]))
    }
}
