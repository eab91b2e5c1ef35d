// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout

/// The layout a command writes its result into, created when missing. When the command fails before anything
/// was written to it, the layout is removed again, with the directories created for it (`import … new/sub/app`
/// leaves no `new/sub`), so a failure leaves nothing behind. A layout someone wrote to meanwhile is kept.
enum NewLayout {
    /// Runs `body`, which writes into the destination `reference` names; for a layout, removes it again when
    /// `body` fails and the layout did not exist before.
    static func with<T>(for reference: ImageReference, _ body: () throws -> T) throws -> T {
        guard case .layout(let path, _) = reference else { return try body() }
        return try with(at: path) { _ in try body() }
    }

    static func with<T>(at path: String, _ body: (OCILayout) throws -> T) throws -> T {
        let fileManager = FileManager.default
        var created: [String] = []
        var directory = URL(fileURLWithPath: path).standardizedFileURL
        while !fileManager.fileExists(atPath: directory.path), directory.path != "/" {
            created.append(directory.path)
            directory.deleteLastPathComponent()
        }
        let layout = try OCILayout.create(at: path)
        do {
            return try body(layout)
        } catch {
            // Innermost first; rmdir(2) removes a directory only while it is empty.
            if !created.isEmpty, layout.removeIfEmpty() { for path in created.dropFirst() { rmdir(path) } }
            throw error
        }
    }
}
