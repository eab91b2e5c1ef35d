// SPDX-License-Identifier: Apache-2.0
import CArchive
import Glibc

extension ArchiveReader {
    /// Where the current entry's content lies, as is, in the archive file; nil when it does not (a compressed
    /// archive, standard input, a sparse entry) or when that cannot be confirmed. Reading the range directly lets
    /// an importer hand the bytes to the kernel instead of copying them through libarchive's buffers.
    ///
    /// The offset is libarchive's position in the uncompressed stream just after the entry's headers, confirmed
    /// against the file itself: the 512 bytes before it must be a tar header with a valid checksum that declares
    /// this entry's size, and the file must hold the whole range. Nothing of the content has been consumed: read
    /// the range, then call `skipData()`.
    func contentRange(of entry: ArchiveEntry) -> (file: FileDescriptor, offset: Int64)? {
        guard let file, entry.kind == .file, let current = currentEntry, archive_filter_count(handle) == 1,
            archive_filter_code(handle, 0) == ARCHIVE_FILTER_NONE, archive_entry_sparse_count(current) == 0
        else { return nil }
        let offset = archive_filter_bytes(handle, 0)
        let block = TarHeaderBlock.size
        // A truncated archive is left to libarchive, which reports it (mapping past the end would fault).
        guard offset >= block, offset % Int64(block) == 0, let fileSize = try? file.size(),
            offset + entry.size <= fileSize
        else { return nil }
        var header = [UInt8](repeating: 0, count: block)
        let count = header.withUnsafeMutableBytes { pread(file.raw, $0.baseAddress, block, off_t(offset) - block) }
        guard count == block, TarHeaderBlock(header).declaresRegularFile(size: entry.size) else { return nil }
        return (file, offset)
    }
}
