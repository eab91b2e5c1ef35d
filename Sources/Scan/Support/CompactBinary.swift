// SPDX-License-Identifier: Apache-2.0
import Foundation

/// The binary forms Scan keeps for itself (a record's ranges in the database, a layer's catalog in the
/// cache): unsigned LEB128 counts and lengths and UTF-8 strings, written and read with no reflection, so
/// reading one costs little more than making its strings. A list is written as its count plus one, 0 standing
/// for an absent list; an optional string likewise as its length plus one.
struct CompactWriter {
    private(set) var bytes: [UInt8] = []

    var data: Data { Data(bytes) }

    mutating func count(_ value: Int) {
        var rest = UInt(value)
        while rest >= 0x80 {
            bytes.append(UInt8(rest & 0x7F) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    mutating func string(_ text: String) {
        count(text.utf8.count)
        bytes.append(contentsOf: text.utf8)
    }

    mutating func optionalString(_ text: String?) {
        guard let text else { return count(0) }
        count(text.utf8.count + 1)
        bytes.append(contentsOf: text.utf8)
    }

    mutating func list<T>(_ items: [T]?, _ item: (inout CompactWriter, T) -> Void) {
        guard let items else { return count(0) }
        count(items.count + 1)
        for element in items { item(&self, element) }
    }
}

/// Reads what `CompactWriter` wrote; anything truncated or out of bounds throws `damaged`.
struct CompactReader {
    /// The error for bytes that are not what the reader expects.
    struct Damaged: Error {}

    private let bytes: UnsafeBufferPointer<UInt8>
    private var offset = 0

    /// Reads `data` with `body`, which must consume all of it.
    static func read<T>(_ data: Data, _ body: (inout CompactReader) throws -> T) throws -> T {
        try data.withUnsafeBytes { raw in
            var reader = CompactReader(bytes: raw.bindMemory(to: UInt8.self))
            let value = try body(&reader)
            guard reader.offset == reader.bytes.count else { throw Damaged() }
            return value
        }
    }

    private init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    mutating func count() throws -> Int {
        var value = 0
        var shift = 0
        while true {
            guard offset < bytes.count, shift < 63 else { throw Damaged() }
            let byte = bytes[offset]
            offset += 1
            value |= Int(byte & 0x7F) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
    }

    mutating func string() throws -> String {
        try text(length: try count())
    }

    mutating func optionalString() throws -> String? {
        let stored = try count()
        return stored == 0 ? nil : try text(length: stored - 1)
    }

    mutating func list<T>(_ item: (inout CompactReader) throws -> T) throws -> [T]? {
        let stored = try count()
        guard stored > 0 else { return nil }
        // Every item takes at least one byte: a count past the end is damage, not an allocation to make.
        guard stored - 1 <= bytes.count - offset else { throw Damaged() }
        var items: [T] = []
        items.reserveCapacity(stored - 1)
        for _ in 0..<(stored - 1) { items.append(try item(&self)) }
        return items
    }

    private mutating func text(length: Int) throws -> String {
        guard length <= bytes.count - offset else { throw Damaged() }
        defer { offset += length }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[offset..<(offset + length)]), as: UTF8.self)
    }
}
