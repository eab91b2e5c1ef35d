// SPDX-License-Identifier: Apache-2.0
import Foundation

/// Response header fields in arrival order, looked up case-insensitively.
package struct HTTPHeaders: Sendable, Hashable {
    /// The fields as received (names as the server spelled them).
    package private(set) var fields: [(name: String, value: String)] = []

    package init(_ fields: [(name: String, value: String)] = []) { self.fields = fields }

    /// The first value of `name`, if present.
    package subscript(_ name: String) -> String? {
        fields.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    /// Every value of `name`, in order (e.g. several `Link` or `WWW-Authenticate` fields).
    package func values(_ name: String) -> [String] {
        fields.filter { $0.name.caseInsensitiveCompare(name) == .orderedSame }.map(\.value)
    }

    package mutating func append(name: String, value: String) { fields.append((name, value)) }

    package static func == (lhs: HTTPHeaders, rhs: HTTPHeaders) -> Bool {
        lhs.fields.elementsEqual(rhs.fields) { $0.name == $1.name && $0.value == $1.value }
    }

    package func hash(into hasher: inout Hasher) {
        for field in fields {
            hasher.combine(field.name)
            hasher.combine(field.value)
        }
    }
}
