// SPDX-License-Identifier: Apache-2.0
import Foundation

/// Strict reading of signed JSON documents: one object, nothing after it, duplicate-free known keys.
enum StrictJSON {
    /// The top-level object of `data`.
    /// - Throws: `TrustError.malformed` when `data` is not exactly one JSON object (trailing bytes included).
    static func object(_ data: Data, what: String) throws(TrustError) -> [String: Any] {
        let parsed: Any
        do { parsed = try JSONSerialization.jsonObject(with: data, options: []) } catch {
            throw .malformed("\(what) is not one JSON object (invalid JSON, or bytes after it)")
        }
        guard let object = parsed as? [String: Any] else { throw .malformed("\(what) is not a JSON object") }
        return object
    }

    /// Throws when `object` has a key outside `allowed`.
    static func onlyKeys(_ object: [String: Any], _ allowed: Set<String>, in place: String) throws(TrustError) {
        if let extra = object.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw .malformed("\(place) has an unexpected field '\(extra)'")
        }
    }

    /// Standard base64 (padded), as DSSE and cosign write it; also accepts URL-safe base64, which DSSE allows
    /// readers to take.
    static func base64(_ text: String, _ field: String) throws(TrustError) -> Data {
        if let data = Data(base64Encoded: text) { return data }
        var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while standard.count % 4 != 0 { standard += "=" }
        guard !text.contains("+"), !text.contains("/"), let data = Data(base64Encoded: standard) else {
            throw .malformed("'\(field)' is not valid base64")
        }
        return data
    }
}
