// SPDX-License-Identifier: Apache-2.0
import Foundation
import Glibc

extension OCILayout {
    /// Runs `body` with a scratch layout inside this one's `.ocitool/tmp/`, removed afterwards. Being on the same
    /// filesystem, blobs move from it into this layout by hard link, not by copy. If the process dies, `gc` and
    /// `fsck --repair` remove the leftover once it is older than their grace period.
    public func withStagingLayout<T>(_ body: (OCILayout) throws(LayoutError) -> T) throws(LayoutError) -> T {
        let path = "\(temporaryPath)/\(OCILayout.stagingPrefix)\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try body(try OCILayout.create(at: path))
    }

    /// Whether this is a staging layout (`withStagingLayout`): every blob in it was verified as it was written
    /// a moment ago, so copies out of it need not read blobs again before linking them.
    var isStaging: Bool { path.contains("/.ocitool/tmp/\(OCILayout.stagingPrefix)") }
}
