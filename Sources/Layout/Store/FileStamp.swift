// SPDX-License-Identifier: Apache-2.0
import Glibc

/// What identifies one version of a file without reading it: device, inode, size, modification and change
/// times. Caches keep what they derived from a file while its stamp is unchanged. (It lives in Layout, next to
/// the other stat helpers: reading `struct stat` fields in Serve trips the compiler's member-import checks.)
public struct FileStamp: Hashable, Sendable {
    let device: UInt64
    let inode: UInt64
    let size: Int64
    let modifiedSeconds: Int
    let modifiedNanoseconds: Int
    let changedSeconds: Int
    let changedNanoseconds: Int

    /// The stamp of `path`, or nil when it cannot be read.
    public init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        self.init(info)
    }

    /// The stamp of an open file, or nil when it cannot be read.
    init?(descriptor: FileDescriptor) {
        var info = stat()
        guard fstat(descriptor.raw, &info) == 0 else { return nil }
        self.init(info)
    }

    private init(_ info: stat) {
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        size = Int64(info.st_size)
        modifiedSeconds = info.st_mtim.tv_sec
        modifiedNanoseconds = info.st_mtim.tv_nsec
        changedSeconds = info.st_ctim.tv_sec
        changedNanoseconds = info.st_ctim.tv_nsec
    }
}
