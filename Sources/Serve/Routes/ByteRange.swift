// SPDX-License-Identifier: Apache-2.0
import Layout

/// The `Range` header of a blob GET, resolved against the blob's size.
///
/// Spec: https://www.rfc-editor.org/rfc/rfc9110#section-14 (one range; several are served whole, as RFC 9110
/// allows). A last position before the first (`bytes=500-0`) is answered 416, as the distribution conformance
/// tests expect.
enum ByteRange: Equatable {
    /// No usable range: send the whole blob.
    case whole
    /// Send these bytes (inclusive).
    case partial(ClosedRange<Int64>)
    /// The range selects nothing in the blob: 416.
    case unsatisfiable

    /// Resolves a `Range` header value.
    init(header: String, size: Int64) {
        let value = header.trimmingWhitespace()
        guard value.lowercased().hasPrefix("bytes=") else {
            self = .whole
            return
        }
        let spec = value.dropFirst("bytes=".count).trimmingWhitespace()
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else {
            self = .whole
            return
        }
        let first = spec[..<dash].trimmingWhitespace()
        let last = spec[spec.index(after: dash)...].trimmingWhitespace()
        if first.isEmpty {
            // A suffix: the last N bytes.
            guard let suffix = Int64(last) else {
                self = .whole
                return
            }
            guard suffix > 0, size > 0 else {
                self = .unsatisfiable
                return
            }
            self = .partial(max(0, size - suffix)...(size - 1))
            return
        }
        guard let start = Int64(first), start >= 0 else {
            self = .whole
            return
        }
        var end = size - 1
        if !last.isEmpty {
            guard let requested = Int64(last) else {
                self = .whole
                return
            }
            guard requested >= start else {
                self = .unsatisfiable
                return
            }
            end = min(requested, size - 1)
        }
        guard start < size else {
            self = .unsatisfiable
            return
        }
        self = .partial(start...end)
    }
}
