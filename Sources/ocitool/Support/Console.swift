// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
import Synchronization

/// Writing to the terminal: results on stdout, diagnostics on stderr. A progress line (drawn on stderr with
/// `\r`, no newline) is cleared before anything else is written, so results and errors never land on it.
enum Console {
    enum Stream { case standardOutput, standardError }

    /// Whether a progress line is on screen.
    private static let progressShown = Mutex(false)

    static func write(_ text: String, to stream: Stream = .standardOutput) {
        clearProgress()
        let handle = stream == .standardOutput ? FileHandle.standardOutput : FileHandle.standardError
        handle.write(Data(text.utf8))
    }

    /// Replaces the progress line on stderr with `line`.
    static func drawProgress(_ line: String) {
        progressShown.withLock { shown in
            FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
            shown = true
        }
    }

    /// Erases the progress line, if one is shown.
    static func clearProgress() {
        progressShown.withLock { shown in
            guard shown else { return }
            FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
            shown = false
        }
    }

    /// Writes bytes to stdout exactly as they are.
    static func write(bytes: Data) {
        clearProgress()
        FileHandle.standardOutput.write(bytes)
    }

    /// One `error:` line, plus a `hint:` line when there is something to suggest.
    static func error(_ message: String, hint: String? = nil) {
        var text = "error: \(message)\n"
        if let hint { text += "hint: \(hint)\n" }
        write(text, to: .standardError)
    }

    /// Prints a value as pretty JSON with sorted keys (`jsonText`).
    static func json(_ value: some Encodable) throws {
        write(try jsonText(value))
    }

    /// A value as pretty JSON with sorted keys and a final newline: what `--format json` prints and report
    /// files hold.
    static func jsonText(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return collapsingEmptyContainers(try encoder.encode(value)) + "\n"
    }

    /// Pretty JSON with each empty array and object on one line: Foundation prints them over three (`[`, a
    /// blank line, `]`). JSON text holds no raw newline inside strings, so a bracket whose next characters are
    /// whitespace holding two newlines, then its closing bracket, is an empty container. (A byte scan: the
    /// regular expressions that did this took a few milliseconds of every JSON report.)
    static func collapsingEmptyContainers(_ json: Data) -> String {
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || (0x09...0x0D).contains(byte) }
        var output: [UInt8] = []
        output.reserveCapacity(json.count)
        json.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            var index = 0
            while index < bytes.count {
                let byte = bytes[index]
                index += 1
                output.append(byte)
                guard byte == UInt8(ascii: "[") || byte == UInt8(ascii: "{"), index < bytes.count, bytes[index] == 0x0A
                else { continue }
                let close = byte == UInt8(ascii: "[") ? UInt8(ascii: "]") : UInt8(ascii: "}")
                var end = index
                var newlines = 0
                while end < bytes.count, isSpace(bytes[end]) {
                    if bytes[end] == 0x0A { newlines += 1 }
                    end += 1
                }
                if newlines >= 2, end < bytes.count, bytes[end] == close {
                    output.append(close)
                    index = end + 1
                }
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Prints rows as aligned columns under a header.
    static func table(_ header: [String], _ rows: [[String]]) {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        for row in all {
            let cells = row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }
            write(cells.joined(separator: "  ") + "\n")
        }
    }

    /// Whether stderr is a terminal (progress bars are drawn only then).
    static var isInteractive: Bool { isatty(STDERR_FILENO) == 1 }
}

/// Human-readable sizes: 1.5 MiB.
func formatBytes(_ bytes: Int64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB"]
    var value = Double(bytes)
    var unit = 0
    while value >= 1024, unit < units.count - 1 {
        value /= 1024
        unit += 1
    }
    return unit == 0 ? "\(bytes) B" : String(format: "%.1f %@", value, units[unit])
}

extension Digest {
    /// The first 12 hex characters, as docker shows image IDs.
    var short: String { String(encoded.prefix(12)) }
}
