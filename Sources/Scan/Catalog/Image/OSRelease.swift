// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout

/// Reads the distro from the `os-release` files of the layers, applied in order: `etc/os-release`, else
/// `usr/lib/os-release` (os-release(5)), following symlinks between them (a loop is a reported skip; a dangling link falls through to the next candidate).
enum OSRelease {
    static let candidates = ["etc/os-release", "usr/lib/os-release"]
    static let maxHops = 16

    static func distro(of layers: [LayerCatalog], skips: inout [CatalogSkip]) -> Distro? {
        // The final view of every os-release path.
        var view: [String: (entry: OSReleaseEntry, layer: Digest)] = [:]
        for layer in layers {
            for path in view.keys where layer.hides(path) && layer.osRelease[path] == nil {
                view[path] = nil
            }
            for (path, entry) in layer.osRelease { view[path] = (entry, layer.layer) }
        }
        for candidate in candidates {
            var path = candidate
            var hops = 0
            follow: while let found = view[path] {
                switch found.entry {
                case .file(let text):
                    return parse(text)
                case .symlink(let target):
                    hops += 1
                    guard hops <= maxHops else {
                        skips.append(CatalogSkip(path: candidate, layer: found.layer, reason: "symlink loop"))
                        return nil
                    }
                    let base = target.hasPrefix("/") ? "" : (path.split(separator: "/").dropLast().joined(separator: "/"))
                    guard let next = LayerWalker.normalize(base + "/" + target) else { break follow }
                    path = next
                }
            }
        }
        return nil
    }

    /// Parses os-release(5) text: `KEY=value` lines, values optionally quoted with `"` or `'` (backslash escapes).
    static func parse(_ text: String) -> Distro? {
        var fields: [String: String] = [:]
        for line in text.split(whereSeparator: \.isNewline) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard !trimmed.hasPrefix("#"), let equals = trimmed.firstIndex(of: "=") else { continue }
            let key = String(trimmed[..<equals])
            var value = Substring(trimmed[trimmed.index(after: equals)...])
            if let quote = value.first, quote == "\"" || quote == "'", value.count >= 2, value.last == quote {
                value = value.dropFirst().dropLast()
            }
            var unescaped = ""
            var escaping = false
            for character in value {
                if escaping || character != "\\" {
                    unescaped.append(character)
                    escaping = false
                } else {
                    escaping = true
                }
            }
            fields[key] = unescaped
        }
        guard let id = fields["ID"], !id.isEmpty else { return nil }
        return Distro(id: id.lowercased(), versionID: fields["VERSION_ID"], prettyName: fields["PRETTY_NAME"])
    }
}
