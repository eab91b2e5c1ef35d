// SPDX-License-Identifier: Apache-2.0
import Foundation

extension OCILayout {
    /// Removes the layout when it holds nothing: no manifest listed, no blob, no staged file, and nothing but
    /// its own files. For a command that created the layout and then failed, so a failure leaves nothing
    /// behind; a layout anyone has written to meanwhile is kept. Checked and removed under the layout lock.
    /// - Returns: whether the layout was removed.
    @discardableResult
    public func removeIfEmpty() -> Bool {
        let removed = try? storage.serializingWriters { () throws(LayoutError) -> Bool in
            let own: Set<String> = ["oci-layout", "index.json", "blobs", ".ocitool"]
            guard (try? readIndex())?.manifests.isEmpty == true, allBlobs().isEmpty,
                FileSystem.list(path).allSatisfy(own.contains),
                FileSystem.list(privatePath).allSatisfy({ $0 == "lock" || $0 == "tmp" }),
                FileSystem.list(temporaryPath).isEmpty
            else { return false }
            return (try? FileManager.default.removeItem(atPath: path)) != nil
        }
        return removed ?? false
    }
}
