// SPDX-License-Identifier: Apache-2.0
import Foundation

/// A plain-text table of a catalog for people: NAME, VERSION, TYPE, SOURCE and PATH columns, then a count.
public enum SBOMTable {
    public static func render(_ catalog: ImageCatalog) -> String {
        let header = ["NAME", "VERSION", "TYPE", "SOURCE", "PATH"]
        let rows = SBOMSupport.uniquePackages(catalog).map { package in
            [
                package.name, package.version, package.kind.rawValue,
                package.sourceName.map { $0 + (package.sourceVersion.map { " (\($0))" } ?? "") } ?? "",
                "/" + package.location.path,
            ]
        }
        var widths = header.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                index == cells.count - 1 ? cell : cell.padding(toLength: widths[index] + 2, withPad: " ", startingAt: 0)
            }.joined()
        }
        var text = rows.isEmpty ? "" : ([line(header)] + rows.map(line)).joined(separator: "\n") + "\n"
        let distro = catalog.distro.map { " on \($0.prettyName ?? $0.id)" } ?? ""
        text += "\(rows.count) package\(rows.count == 1 ? "" : "s")\(distro)"
        if !catalog.skips.isEmpty { text += ", \(catalog.skips.count) skipped" }
        return text + "\n"
    }
}
