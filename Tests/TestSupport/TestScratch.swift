// SPDX-License-Identifier: Apache-2.0
public import Foundation
import Glibc

/// Scratch space for tests. Every directory a test asks for lives under one directory per test process, removed
/// when the process exits (failed tests included), so a `swift test` run leaves nothing in the temporary
/// directory. One left by a process that crashed is removed by the next run.
public enum TestScratch {
    /// `$TMPDIR/ocitool-tests-<pid>`, created on first use.
    public static let root: URL = {
        let base = FileManager.default.temporaryDirectory
        removeLeftovers(in: base)
        let root = base.appendingPathComponent("ocitool-tests-\(getpid())")
        try? FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(at: TestScratch.root) }
        return root
    }()

    /// A new directory's URL under `root` (not created), named `PREFIX-<UUID>`.
    public static func directory(_ prefix: String) -> URL {
        root.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
    }

    /// Removes the scratch roots of test processes that are gone.
    private static func removeLeftovers(in base: URL) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: base.path)) ?? []
        for name in names where name.hasPrefix("ocitool-tests-") {
            guard let pid = pid_t(name.dropFirst("ocitool-tests-".count)), pid != getpid(),
                kill(pid, 0) != 0, errno == ESRCH
            else { continue }
            try? FileManager.default.removeItem(at: base.appendingPathComponent(name))
        }
    }
}
