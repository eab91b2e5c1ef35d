// SPDX-License-Identifier: Apache-2.0

extension String {
    /// Help text with each paragraph on one line, so ArgumentParser wraps it to the terminal's width
    /// instead of breaking the source's line ends a second time. Indented lines (examples, tables, YAML)
    /// and blank lines stay as they are.
    var reflowed: String {
        var lines: [Substring] = []
        for line in split(separator: "\n", omittingEmptySubsequences: false) {
            if let last = lines.last, Self.isProse(line), Self.isProse(last) {
                lines[lines.count - 1] = last + " " + line
            } else {
                lines.append(line)
            }
        }
        return lines.joined(separator: "\n")
    }

    private static func isProse(_ line: Substring) -> Bool {
        guard let first = line.first else { return false }
        return first != " "
    }
}
