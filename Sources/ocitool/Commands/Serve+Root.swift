// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Glibc
import Layout

extension ServeCommand {
    /// Creates a missing store root as mkdir(1) would, not `mkdir -p`: only when its parent exists, saying so. A
    /// missing parent is more likely a typo than a wish for a new tree, so the server refuses to start.
    static func createStoreIfMissing(_ root: String) throws {
        guard !FileSystem.exists(root) else { return }
        let parent = FileSystem.parentDirectory(of: root)
        guard FileSystem.isDirectory(parent) else {
            Console.error(
                "the store root \(root) does not exist, nor does its parent \(parent)",
                hint: "check the path; to start a new store there, create it first: mkdir -p \(root)")
            throw ExitCode(3)
        }
        guard mkdir(root, 0o755) == 0 || errno == EEXIST else { throw LayoutError.io("mkdir", path: root, errno: errno) }
        Console.write("created an empty store at \(root)\n")
    }
}
