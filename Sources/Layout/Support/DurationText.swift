// SPDX-License-Identifier: Apache-2.0

/// Durations as people write them: `90s`, `30m`, `1h`, `2d`, `500ms`, `1h30m`, or plain seconds.
public enum DurationText {
    /// The duration `text` spells, nil when it is not one.
    public static func parse(_ text: String) -> Duration? {
        let text = text.trimmingWhitespace()
        if let seconds = Double(text), seconds >= 0, seconds.isFinite { return .milliseconds(Int64(seconds * 1000)) }
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400)]
        var total = 0.0
        var rest = Substring(text)
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isNumber || $0 == "." }
            guard let value = Double(digits) else { return nil }
            rest = rest.dropFirst(digits.count)
            guard
                let (unit, factor) = units.first(where: {
                    rest.hasPrefix($0.0) && !(($0.0 == "m") && rest.hasPrefix("ms"))
                })
            else { return nil }
            rest = rest.dropFirst(unit.count)
            total += value * factor
        }
        return .milliseconds(Int64((total * 1000).rounded()))
    }

    /// The shortest exact text for a duration (`1h30m`, `90s`, `250ms`).
    public static func format(_ duration: Duration) -> String {
        var milliseconds = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        if milliseconds == 0 { return "0s" }
        var text = ""
        for (unit, size) in [("d", Int64(86_400_000)), ("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1)]
        where milliseconds >= size {
            text += "\(milliseconds / size)\(unit)"
            milliseconds %= size
        }
        return text
    }
}
