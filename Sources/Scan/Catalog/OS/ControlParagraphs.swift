// SPDX-License-Identifier: Apache-2.0

/// Splits deb822-style text (dpkg's status file, apk's installed database) into paragraphs of fields.
/// A line that is neither a field nor a continuation is reported through `malformed` and left out.
struct ControlParagraphs {
    /// One paragraph: its fields in order (continuation lines joined with newlines) and its first line number.
    struct Paragraph {
        var fields: [(key: String, value: String)] = []
        var line = 0

        subscript(key: String) -> String? { fields.last { $0.key == key }?.value }
    }

    /// - Parameters:
    ///   - separator: `:` for dpkg (`Key: value`); apk uses the same with one-letter keys.
    ///   - continuation: whether lines starting with a space or tab continue the previous field (dpkg).
    static func parse(
        _ text: String, continuation: Bool, malformed: (_ line: Int, _ text: Substring) -> Void
    ) -> [Paragraph] {
        var paragraphs: [Paragraph] = []
        var current = Paragraph()
        var number = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            let line = line.hasSuffix("\r") ? line.dropLast() : line
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) {
                if !current.fields.isEmpty { paragraphs.append(current) }
                current = Paragraph()
                continue
            }
            if continuation, line.first == " " || line.first == "\t" {
                guard !current.fields.isEmpty else {
                    malformed(number, line)
                    continue
                }
                current.fields[current.fields.count - 1].value += "\n" + line.drop { $0 == " " || $0 == "\t" }
                continue
            }
            guard let colon = line.firstIndex(of: ":"), colon != line.startIndex,
                !line[..<colon].contains(where: { $0 == " " || $0 == "\t" })
            else {
                malformed(number, line)
                continue
            }
            if current.fields.isEmpty { current.line = number }
            let value = line[line.index(after: colon)...].drop { $0 == " " || $0 == "\t" }
            current.fields.append((String(line[..<colon]), String(value)))
        }
        if !current.fields.isEmpty { paragraphs.append(current) }
        return paragraphs
    }
}
