// SPDX-License-Identifier: Apache-2.0

/// A count and its noun, singular for one: "1 blob", "3 blobs".
package func counted(_ count: some BinaryInteger, _ noun: String) -> String {
    "\(count) \(noun)\(count == 1 ? "" : "s")"
}
