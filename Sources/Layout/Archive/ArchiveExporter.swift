// SPDX-License-Identifier: Apache-2.0
import Foundation
import Glibc

/// Writes images from layouts into an oci-archive or docker-archive tarball.
///
/// Everything is checked before the first byte is written (manifests parsed, every blob present with its
/// size, tags unambiguous). Blobs are streamed from the layouts, never loaded whole, each written once even
/// when several items share it, and hashed on the way: a blob whose content does not match its digest fails
/// the export. A file destination is written to `DEST.tmp-<pid>-<random>` next to it, fsynced and renamed
/// into place, so a failed export never leaves a partial archive at `DEST`; `-` streams to standard output.
///
/// - Parameters:
///   - items: the images to export, with their names in the archive.
///   - path: the archive file, or `-` for standard output.
///   - options: format, compression, referrers, platform, progress.
/// - Returns: what was written.
/// - Throws: `.invalidArgument` (no items, a tag given to two images, no image for the platform),
///   `.unsupported` (an artifact for docker-archive), the layouts' read errors, `.archive`/`.io` when writing.
@discardableResult
public func exportArchive(_ items: [ExportItem], to path: String, options: ExportOptions = ExportOptions())
    throws(LayoutError) -> ExportResult
{
    guard !items.isEmpty else { throw .invalidArgument("nothing to export: no images given") }
    let exporter = ArchiveExporter(options: options)
    let plan: ArchiveExporter.Plan
    switch options.format {
    case .ociArchive: plan = try exporter.planOCIArchive(items)
    case .dockerArchive: plan = try exporter.planDockerArchive(items)
    }
    options.progressTotal?(plan.contentBytes)
    let bytes = try exporter.write(plan, to: path)
    return ExportResult(
        images: plan.images, referrers: plan.referrers, blobs: plan.blobCount, bytes: bytes, format: options.format,
        path: path)
}

/// The work behind `exportArchive`: a format-specific plan (ArchiveExporter+OCI, ArchiveExporter+Docker),
/// then one writer for both.
struct ArchiveExporter {
    let options: ExportOptions

    /// One entry of the archive, in writing order.
    enum Entry {
        case directory(String)
        case blob(String, ContentClosure.Blob)
        case file(String, Data)
    }

    /// What to write.
    struct Plan {
        var entries: [Entry] = []
        var images = 0
        var referrers = 0

        /// The bytes of content the entries hold (what `ExportOptions.progress` counts).
        var contentBytes: Int64 {
            entries.reduce(0) { total, entry in
                switch entry {
                case .directory: total
                case .blob(_, let blob): total + blob.descriptor.size
                case .file(_, let data): total + Int64(data.count)
                }
            }
        }

        var blobCount: Int {
            entries.reduce(0) { count, entry in
                if case .blob = entry { return count + 1 }
                return count
            }
        }
    }

    /// Writes the plan atomically to `path` (or to standard output for `-`).
    /// - Returns: the content bytes written.
    func write(_ plan: Plan, to path: String) throws(LayoutError) -> Int64 {
        if path == "-" {
            let writer = try ArchiveWriter(path: "-", compression: options.compression)
            let bytes = try write(plan.entries, into: writer)
            try writer.finish()
            return bytes
        }
        if FileSystem.isDirectory(path) { throw .invalidArgument("\(path) is a directory, not an archive file") }
        let directory = FileSystem.parentDirectory(of: path)
        guard FileSystem.isDirectory(directory) else {
            throw .invalidArgument("cannot write \(path): the directory \(directory) does not exist")
        }
        removeLeftovers(of: path)
        let temporary = "\(path).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let bytes: Int64
        do throws(LayoutError) {
            let writer = try ArchiveWriter(path: temporary, compression: options.compression)
            bytes = try write(plan.entries, into: writer)
            try writer.finish()
            try FileDescriptor(path: temporary, flags: O_RDONLY).sync()
            try FileSystem.rename(temporary, to: path)
        } catch {
            unlink(temporary)
            throw error
        }
        try FileSystem.syncDirectory(directory)
        return bytes
    }

    /// Removes what earlier exports to `path` left when they were killed: regular files named exactly as this
    /// writer names its own (`DEST.tmp-<pid>-<random>`, both numbers), of writers that are gone, once older
    /// than the grace period fsck and gc give temporary files. Any other file is the user's.
    private func removeLeftovers(of path: String) {
        let directory = FileSystem.parentDirectory(of: path)
        let prefix = FileSystem.baseName(of: path) + ".tmp-"
        for name in FileSystem.list(directory) where name.hasPrefix(prefix) {
            let numbers = name.dropFirst(prefix.count).split(separator: "-", omittingEmptySubsequences: false)
            let digits = numbers.allSatisfy { !$0.isEmpty && $0.allSatisfy { ("0"..."9").contains($0) } }
            guard numbers.count == 2, digits else { continue }
            var info = stat()
            guard lstat("\(directory)/\(name)", &info) == 0, info.st_mode & S_IFMT == S_IFREG else { continue }
            let file = TemporaryFile(
                relativePath: name, path: "\(directory)/\(name)",
                writerProcess: OCILayout.writerProcess(in: name, after: prefix))
            if !file.mayBeInFlight(grace: FsckChecker.temporaryFileGrace) { unlink(file.path) }
        }
    }

    private func write(_ entries: [Entry], into writer: ArchiveWriter) throws(LayoutError) -> Int64 {
        var total: Int64 = 0
        for entry in entries {
            switch entry {
            case .directory(let name):
                try writer.addDirectory(name)
            case .file(let name, let data):
                try writer.addFile(name, contents: data)
                total += Int64(data.count)
                options.progress?(Int64(data.count))
            case .blob(let name, let blob):
                try stream(blob, as: name, into: writer)
                total += blob.descriptor.size
            }
        }
        return total
    }

    /// Streams one blob into the archive, hashing it on the way.
    private func stream(_ blob: ContentClosure.Blob, as name: String, into writer: ArchiveWriter) throws(LayoutError) {
        let digest = blob.descriptor.digest
        let reader = try blob.layout.openBlob(digest)
        guard reader.size == blob.descriptor.size else {
            throw .sizeMismatch(digest, expected: blob.descriptor.size, actual: reader.size)
        }
        let hasher = digest.makeHasher()
        let progress = options.progress
        try writer.addFile(name, size: reader.size) { (write) throws(LayoutError) in
            try reader.forEachChunk { (chunk) throws(LayoutError) in
                hasher.update(chunk)
                try write(chunk)
                progress?(Int64(chunk.count))
            }
        }
        let actual = hasher.finalize()
        guard actual == digest else { throw .digestMismatch(expected: digest, actual: actual) }
    }

    /// Rejects one tag (or docker name) given to two different manifests.
    static func checkUnique(_ names: [(name: String, digest: Digest)], what: String) throws(LayoutError) {
        var owners: [String: Digest] = [:]
        for (name, digest) in names {
            if let owner = owners[name], owner != digest {
                throw .invalidArgument("\(what) '\(name)' is given to two different images: \(owner) and \(digest)")
            }
            owners[name] = digest
        }
    }
}
