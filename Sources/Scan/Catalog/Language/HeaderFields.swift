// SPDX-License-Identifier: Apache-2.0
import Foundation

/// The fields of a `Name: value` header block: Python core metadata (RFC 822 style, the body after the first
/// blank line ignored) and Java manifests (the main section, lines wrapped at 72 bytes).
///
/// Spec: https://packaging.python.org/en/latest/specifications/core-metadata/ and
/// https://docs.oracle.com/en/java/javase/21/docs/specs/jar/jar.html#jar-manifest.
struct HeaderFields {
    /// How a line that begins with a space continues the previous value.
    enum Continuation {
        /// RFC 822 folding: the continuation joins the value after a newline.
        case rfc822
        /// A manifest's 72-byte wrapping: the text after the one leading space joins the value directly.
        case manifest
    }

    /// Fields in order; a name may repeat (`Classifier`).
    private(set) var fields: [(name: String, value: String)] = []
    /// Lines that are neither a field nor a continuation.
    private(set) var malformedLines = 0

    /// Parses `text` up to its first blank line: continuation lines are unfolded first (a manifest may wrap in
    /// the middle of a name), then each logical line splits at its first colon.
    init(_ text: String, continuation: Continuation) {
        var logical: [String] = []
        // "\r\n" is one Character: split on either form of line end.
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            let blank = continuation == .manifest ? line.isEmpty : line.allSatisfy { $0 == " " || $0 == "\t" }
            if blank {
                if logical.isEmpty { continue }
                break
            }
            if line.first == " " || (continuation == .rfc822 && line.first == "\t") {
                guard !logical.isEmpty else {
                    malformedLines += 1
                    continue
                }
                switch continuation {
                case .rfc822: logical[logical.count - 1] += "\n" + line.trimmingCharacters(in: .whitespaces)
                case .manifest: logical[logical.count - 1] += line.dropFirst()
                }
                continue
            }
            logical.append(String(line))
        }
        for line in logical {
            guard let colon = line.firstIndex(of: ":"), colon > line.startIndex else {
                malformedLines += 1
                continue
            }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            fields.append((name, value))
        }
    }

    /// The first value of `name` (compared case-insensitively), trimmed; nil when absent or empty.
    func first(_ name: String) -> String? {
        for field in fields where field.name.caseInsensitiveCompare(name) == .orderedSame {
            let value = field.value.trimmingCharacters(in: .whitespacesAndNewlines)
            return value.isEmpty ? nil : value
        }
        return nil
    }

    /// Every value of `name`, in order.
    func all(_ name: String) -> [String] {
        fields.filter { $0.name.caseInsensitiveCompare(name) == .orderedSame }.map(\.value)
    }
}

extension CatalogFile {
    /// The bytes before the first blank line (leading blank lines dropped), read no further than that: a header
    /// block followed by a body of any size costs only the chunks that hold the headers.
    /// - Returns: nil when no blank line comes within `limit` bytes and the file goes on.
    mutating func readHeaderBlock(limit: Int) throws -> Data? {
        var block = Data()
        var scanFrom = 0
        var ended = false
        var overflowed = false
        try forEachChunk { chunk in
            var bytes = chunk[...]
            if block.isEmpty {
                bytes = bytes.drop(while: { $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") })
            }
            block.append(contentsOf: bytes)
            if let end = Self.blankLine(in: block, from: scanFrom) {
                block.removeSubrange(end...)
                ended = true
                return false
            }
            scanFrom = max(0, block.count - 3)
            if block.count > limit {
                overflowed = true
                return false
            }
            return true
        }
        if overflowed && !ended { return nil }
        return block
    }

    /// The offset where the first blank line (`\n\n` or `\n\r\n`) begins, after its first newline.
    private static func blankLine(in data: Data, from start: Int) -> Int? {
        data.withUnsafeBytes { raw -> Int? in
            let bytes = raw.bindMemory(to: UInt8.self)
            var index = start
            while index + 1 < bytes.count {
                if bytes[index] == UInt8(ascii: "\n") {
                    if bytes[index + 1] == UInt8(ascii: "\n") { return index + 1 }
                    if bytes[index + 1] == UInt8(ascii: "\r"), index + 2 < bytes.count,
                        bytes[index + 2] == UInt8(ascii: "\n")
                    {
                        return index + 1
                    }
                }
                index += 1
            }
            return nil
        }
    }
}
