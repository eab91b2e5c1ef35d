// SPDX-License-Identifier: Apache-2.0
import Foundation

/// The one streaming pass over an image archive that both `import` (`ArchiveImporter`) and `ArchiveSource`
/// make (standard input and compressed archives cannot seek): every entry name is checked, metadata files are
/// read into memory, every other regular file is hashed while read (a `blobs/<alg>/<hex>` entry must hash to its
/// name, every entry must hold the bytes its header declares, compressed content under any other name is also
/// hashed decompressed for its diff ID), and links are recorded. Small files stay in memory; where larger ones
/// go is `storage`'s choice.
struct ArchiveScanner {
    /// Largest manifest.json, oci-layout or repositories file read.
    static let metadataLimit = 4 * 1024 * 1024
    /// Largest index.json read (big bundles list many images).
    static let indexLimit = 16 * 1024 * 1024
    /// Entries up to this size are kept in memory rather than staged (no temporary file, no fsync)...
    static let smallFileLimit: Int64 = 1024 * 1024
    /// ...while the total kept in memory stays under this.
    static let memoryBudget: Int64 = 64 * 1024 * 1024

    /// Where large members go.
    enum Storage {
        /// Staged in the importing layout's temporary directory, ready to be renamed into `blobs/`.
        case layout(OCILayout)
        /// Left in place in a plain archive file (only their offset is kept), else appended to the spool.
        case inPlace(ArchiveSpool)
    }

    /// The archive path, `-` for standard input.
    let archivePath: String
    let storage: Storage
    let progress: (@Sendable (Int64) -> Void)?

    /// Reads the whole archive.
    /// - Throws: `LayoutError.archive`, `.archiveMismatch`, `.unsafeArchiveEntry`, `.io`.
    func scan() throws(LayoutError) -> ArchiveContents {
        let reader = try ArchiveReader(path: archivePath)
        var contents = ArchiveContents()
        var progress = ProgressCounter(report: progress)
        var inMemory: Int64 = 0
        while let entry = try reader.nextEntry() {
            let name = try ArchivePath.normalize(entry.path)
            switch entry.kind {
            case .directory:
                continue
            case .other:
                throw .unsafeArchiveEntry(
                    entry.path, reason: "device, FIFO and socket entries are not allowed in an image archive")
            case .symlink, .hardlink:
                guard let target = entry.linkTarget, !name.isEmpty else {
                    throw .unsafeArchiveEntry(entry.path, reason: "a link needs a name and a target")
                }
                try contents.checkFirst(name, entry: entry.path)
                contents.links[name] =
                    entry.kind == .symlink
                    ? try ArchivePath.symlinkTarget(target, of: name)
                    : try ArchivePath.hardlinkTarget(target, of: name)
            case .file:
                guard !name.isEmpty else { throw .unsafeArchiveEntry(entry.path, reason: "a file needs a name") }
                try contents.checkFirst(name, entry: entry.path)
                if ArchiveContents.metadataNames.contains(name) {
                    let limit = name == "index.json" ? Self.indexLimit : Self.metadataLimit
                    contents.metadata[name] = Data(try reader.readSmallEntry(entry, limit: limit))
                    progress.add(entry.size)
                } else {
                    let file = try readFile(entry, name: name, from: reader, progress: &progress, inMemory: &inMemory)
                    contents.files[name] = file
                }
            }
        }
        progress.finish()
        return contents
    }

    /// Reads one regular entry, hashing it, and checks it against its header and its name.
    private func readFile(
        _ entry: ArchiveEntry, name: String, from reader: ArchiveReader, progress: inout ProgressCounter,
        inMemory: inout Int64
    ) throws(LayoutError) -> ArchiveFile {
        let expected = ArchivePath.blobDigest(name)
        let algorithm = expected?.algorithm ?? .sha256
        let diffIDs = expected == nil ? DiffIDHasher() : nil
        let read: (content: ArchiveFile.Content, digest: Digest, size: Int64, magic: [UInt8])
        if entry.size <= Self.smallFileLimit, inMemory + entry.size <= Self.memoryBudget {
            let hasher = DigestHasher(algorithm)
            var data = Data(capacity: Int(max(entry.size, 0)))
            try reader.readData { (chunk) throws(LayoutError) in
                hasher.update(chunk)
                diffIDs?.update(chunk)
                data.append(chunk.assumingMemoryBound(to: UInt8.self))
                progress.add(Int64(chunk.count))
            }
            inMemory += Int64(data.count)
            read = (.memory(data), hasher.finalize(), Int64(data.count), Array(data.prefix(8)))
        } else {
            switch storage {
            case .layout(let layout):
                read = try stage(entry, into: layout, from: reader, algorithm: algorithm, diffIDs: diffIDs, &progress)
            case .inPlace(let spool):
                read = try keep(entry, spool: spool, from: reader, algorithm: algorithm, diffIDs: diffIDs, &progress)
            }
        }
        guard read.size == entry.size else {
            throw .archiveMismatch("\(name): its tar header declares \(entry.size) bytes, the archive holds \(read.size)")
        }
        if let expected, expected != read.digest {
            throw .archiveMismatch("\(name): the content is \(read.digest), not the digest its name gives")
        }
        let diffID = diffIDs?.finalize() ?? (Compression(magic: read.magic) == .none ? .content : .unchecked)
        return ArchiveFile(content: read.content, digest: read.digest, size: read.size, magic: read.magic, diffID: diffID)
    }

    /// Import: the entry goes to a staged blob of the layout, copied file to file by the kernel when it lies as
    /// is in a plain archive and needs no diff ID.
    private func stage(
        _ entry: ArchiveEntry, into layout: OCILayout, from reader: ArchiveReader, algorithm: DigestAlgorithm,
        diffIDs: DiffIDHasher?, _ progress: inout ProgressCounter
    ) throws(LayoutError) -> (ArchiveFile.Content, Digest, Int64, [UInt8]) {
        let writer = try BlobWriter(layout: layout, algorithm: algorithm)
        if let (file, offset) = reader.contentRange(of: entry),
            diffIDs == nil || Compression(magic: file.bytes(at: offset, count: 4)) == .none
        {
            try writer.append(from: file, offset: offset, length: entry.size) { progress.add($0) }
            try reader.skipData()
        } else {
            try reader.readData { (chunk) throws(LayoutError) in
                try writer.write(chunk)
                diffIDs?.update(chunk)
                progress.add(Int64(chunk.count))
            }
        }
        let staged = try writer.finish()
        return (.staged(staged), staged.digest, staged.size, staged.magic)
    }

    /// A source: the entry is hashed and left where it lies in a plain archive file; otherwise (compressed
    /// archive, standard input, sparse entry) its decompressed bytes are appended to the spool.
    private func keep(
        _ entry: ArchiveEntry, spool: ArchiveSpool, from reader: ArchiveReader, algorithm: DigestAlgorithm,
        diffIDs: DiffIDHasher?, _ progress: inout ProgressCounter
    ) throws(LayoutError) -> (ArchiveFile.Content, Digest, Int64, [UInt8]) {
        let range = reader.contentRange(of: entry)
        let start = spool.size
        let hasher = DigestHasher(algorithm)
        var magic: [UInt8] = []
        var size: Int64 = 0
        let spooled = range == nil
        try reader.readData { (chunk) throws(LayoutError) in
            if magic.count < 8 { magic += chunk.prefix(8 - magic.count) }
            hasher.update(chunk)
            diffIDs?.update(chunk)
            if spooled { try spool.append(chunk) }
            size += Int64(chunk.count)
            progress.add(Int64(chunk.count))
        }
        let content: ArchiveFile.Content
        if let range {
            content = .range(range.file, offset: range.offset)
        } else {
            content = .range(try spool.open(), offset: start)
        }
        return (content, hasher.finalize(), size, magic)
    }
}

/// Calls the progress callback with the cumulative byte count, at most every 4 MiB and once at the end.
struct ProgressCounter {
    static let interval: Int64 = 4 * 1024 * 1024
    let report: (@Sendable (Int64) -> Void)?
    private(set) var total: Int64 = 0
    private var reported: Int64 = 0

    init(report: (@Sendable (Int64) -> Void)?) { self.report = report }

    mutating func add(_ count: Int64) {
        total += count
        if let report, total - reported >= Self.interval {
            reported = total
            report(total)
        }
    }

    mutating func finish() {
        guard let report, total != reported || total == 0 else { return }
        reported = total
        report(total)
    }
}
