// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout

/// A throwaway layout in the system's temporary directory, removed after use.
enum ScratchLayout {
    static func with<T>(_ body: (OCILayout) throws -> T) throws -> T {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ocitool-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        return try body(try OCILayout.create(at: directory))
    }
}
