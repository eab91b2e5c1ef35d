// SPDX-License-Identifier: Apache-2.0
import Foundation

/// Imports a `docker save` tarball (legacy, or the OCI form of docker 25 and later) or an oci-archive into a
/// layout, in one streaming pass (standard input cannot seek).
///
/// Every regular entry is hashed while read: small ones stay in memory, others are staged in the layout's
/// temporary directory. Only when the whole archive is read, parsed and validated are the referenced blobs
/// committed, then index.json is updated once. Any error before that commits nothing, and the staged files are
/// removed when the importer's state is released.
struct ArchiveImporter {
    /// Largest manifest.json, oci-layout or repositories file read.
    static let metadataLimit = 4 * 1024 * 1024
    /// Largest index.json read (big bundles list many images).
    static let indexLimit = 16 * 1024 * 1024
    /// Entries up to this size are kept in memory rather than staged (no temporary file, no fsync)...
    static let smallFileLimit: Int64 = 1024 * 1024
    /// ...while the total kept in memory stays under this.
    static let memoryBudget: Int64 = 64 * 1024 * 1024

    let layout: OCILayout
    /// The archive path, `-` for standard input.
    let archivePath: String
    let options: ImportOptions

    /// Reads, validates and commits the archive.
    func run() throws(LayoutError) -> ImportResult {
        if let tag = options.tag { try Names.validateTag(tag) }
        let contents = try scan()
        let candidates: [ImportCandidate]
        let format: String
        if contents.metadata["index.json"] != nil, contents.metadata["oci-layout"] != nil {
            candidates = try ociCandidates(contents)
            format = contents.metadata["manifest.json"] != nil ? "docker-archive" : "oci-archive"
        } else if contents.metadata["manifest.json"] != nil {
            candidates = try dockerCandidates(contents)
            format = "docker-archive"
        } else {
            throw .archive("neither manifest.json nor index.json found: not a docker save or oci-archive tarball")
        }
        let plan = try plan(candidates, format: format)
        return try commit(plan)
    }

    /// The streaming pass: checks every entry name, reads metadata into memory and every other regular file
    /// into an `ArchiveFile`, and records links.
    func scan() throws(LayoutError) -> ArchiveContents {
        let reader = try ArchiveReader(path: archivePath)
        var contents = ArchiveContents()
        var progress = ProgressCounter(report: options.progress)
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

    /// Reads one regular entry, hashing it; a `blobs/<alg>/<hex>` entry must hash to its name, and every entry
    /// must hold the bytes its header declares. Compressed content under any other name (a legacy docker layer)
    /// is also hashed decompressed, for its diff ID.
    private func readFile(
        _ entry: ArchiveEntry, name: String, from reader: ArchiveReader, progress: inout ProgressCounter,
        inMemory: inout Int64
    ) throws(LayoutError) -> ArchiveFile {
        let expected = ArchivePath.blobDigest(name)
        let algorithm = expected?.algorithm ?? .sha256
        let diffIDs = expected == nil ? DiffIDHasher() : nil
        let content: ArchiveFile.Content
        let digest: Digest
        let size: Int64
        let magic: [UInt8]
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
            (content, digest, size, magic) = (.memory(data), hasher.finalize(), Int64(data.count), Array(data.prefix(8)))
        } else {
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
            (content, digest, size, magic) = (.staged(staged), staged.digest, staged.size, staged.magic)
        }
        guard size == entry.size else {
            throw .archiveMismatch("\(name): its tar header declares \(entry.size) bytes, the archive holds \(size)")
        }
        if let expected, expected != digest {
            throw .archiveMismatch("\(name): the content is \(digest), not the digest its name gives")
        }
        let diffID = diffIDs?.finalize() ?? (Compression(magic: magic) == .none ? .content : .unchecked)
        return ArchiveFile(content: content, digest: digest, size: size, magic: magic, diffID: diffID)
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
