// SPDX-License-Identifier: Apache-2.0
import Foundation

/// An rpm header blob as rpmdb stores it (no lead, no magic): `il` and `dl` (big-endian 32-bit), `il` index
/// entries of 16 bytes (tag, type, offset, count), then the `dl`-byte data store. Only the tags the cataloger
/// needs are read; every offset is bounds-checked.
struct RPMHeader {
    enum Tag: Int32 {
        case name = 1000, version = 1001, release = 1002, epoch = 1003, license = 1014, arch = 1022
        case sourceRPM = 1044
    }

    private static let typeInt32: Int32 = 4
    private static let typeString: Int32 = 6
    private static let typeI18NString: Int32 = 9

    private var strings: [Int32: String] = [:]
    private var integers: [Int32: Int32] = [:]

    /// - Throws: a description of what is wrong with the blob.
    init(_ blob: Data) throws {
        let bytes = [UInt8](blob)
        func be32(_ offset: Int) -> Int32 {
            Int32(bitPattern: UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16
                | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3]))
        }
        guard bytes.count >= 8 else { throw RPMHeaderError("header blob of \(bytes.count) bytes is too short") }
        let indexCount = Int(be32(0))
        let dataLength = Int(be32(4))
        guard indexCount > 0, indexCount <= 0x10000, dataLength >= 0, dataLength <= 256 << 20 else {
            throw RPMHeaderError("header blob declares \(indexCount) entries and \(dataLength) data bytes")
        }
        let store = 8 + indexCount * 16
        guard bytes.count >= store + dataLength else {
            throw RPMHeaderError("header blob of \(bytes.count) bytes is shorter than it declares")
        }
        for index in 0..<indexCount {
            let base = 8 + index * 16
            let tag = be32(base)
            guard Tag(rawValue: tag) != nil else { continue }
            let type = be32(base + 4)
            let offset = Int(be32(base + 8))
            guard offset >= 0, offset < dataLength else { throw RPMHeaderError("tag \(tag) points outside the data") }
            let start = store + offset
            switch type {
            case Self.typeString, Self.typeI18NString:
                guard let end = bytes[start..<(store + dataLength)].firstIndex(of: 0) else {
                    throw RPMHeaderError("tag \(tag): unterminated string")
                }
                strings[tag] = String(decoding: bytes[start..<end], as: UTF8.self)
            case Self.typeInt32:
                guard offset + 4 <= dataLength else { throw RPMHeaderError("tag \(tag) points outside the data") }
                integers[tag] = be32(start)
            default:
                continue
            }
        }
    }

    subscript(_ tag: Tag) -> String? { strings[tag.rawValue] }
    func integer(_ tag: Tag) -> Int32? { integers[tag.rawValue] }
}

struct RPMHeaderError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
