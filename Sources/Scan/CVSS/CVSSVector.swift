// SPDX-License-Identifier: Apache-2.0

/// The vector-string syntax CVSS v3.x and v4.0 share: `CVSS:<version>/METRIC:VALUE/…`.
enum CVSSVector {
    /// The metrics of `vector`, checked against the version's metric tables.
    /// - Throws: `ScanError.invalidCVSSVector` for a prefix not in `prefixes`, a part that is not
    ///   `METRIC:VALUE`, an unknown or repeated metric, a value the metric does not have, or a missing
    ///   mandatory metric.
    static func parse(
        _ vector: String, prefixes: Set<String>, mandatory: [String: [String]], optional: [String: [String]]
    ) throws -> (prefix: String, metrics: [String: String]) {
        func bad(_ reason: String) -> ScanError { .invalidCVSSVector(vector: vector, reason: reason) }
        let parts = vector.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard let prefix = parts.first, prefixes.contains(prefix) else {
            throw bad("not a \(prefixes.sorted().joined(separator: " or ")) vector")
        }
        var metrics: [String: String] = [:]
        for part in parts.dropFirst() {
            let pair = part.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard pair.count == 2 else { throw bad("\"\(part)\" is not METRIC:VALUE") }
            guard let values = mandatory[pair[0]] ?? optional[pair[0]] else { throw bad("unknown metric \(pair[0])") }
            guard values.contains(pair[1]) else { throw bad("\(pair[0]) has no value \(pair[1])") }
            guard metrics.updateValue(pair[1], forKey: pair[0]) == nil else { throw bad("\(pair[0]) given twice") }
        }
        let missing = mandatory.keys.filter { metrics[$0] == nil }.sorted()
        guard missing.isEmpty else { throw bad("missing base metric \(missing.joined(separator: ", "))") }
        return (prefix, metrics)
    }
}
