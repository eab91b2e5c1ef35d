// SPDX-License-Identifier: Apache-2.0
import Foundation
import Glibc

/// An oci-archive or docker-archive written as an image destination, streamed as blobs arrive: no layout is
/// staged on disk, and the only extra disk is the archive itself, growing in a temporary file next to the
/// target (`FILE.tmp-<pid>-<random>`).
///
/// Each `putBlob` writes one tar member while hashing it, and fails unless digest and size match (the engine
/// calls it from several threads: members are written one at a time under a lock). `putManifest` writes an
/// OCI archive's manifests as blobs and remembers the images to list; `finish()` writes `index.json` and
/// `oci-layout` (OCI) or `manifest.json` and `repositories` (docker), fsyncs the file and renames it into
/// place. A destination never finished (a failed copy) removes its temporary file when released, or at
/// `discard()`; `-` writes standard output directly.
///
/// Entries, as `ocitool export` has always written them (skopeo 1.9 reads both):
/// - oci-archive: `blobs/`, `blobs/<alg>/`, each blob and manifest once as `blobs/<alg>/<hex>` (content before
///   the manifests referencing it), then `index.json` (one entry per listed image, tagged with
///   `org.opencontainers.image.ref.name`; referrers untagged with artifact type, annotations and ocitool's
///   subject annotation, as a layout lists them) and `oci-layout`;
/// - docker-archive (legacy `docker save`): each layer as `<hex>/` and `<hex>/layer.tar`, each config as
///   `<hex>.json` (exact bytes), then `manifest.json` (`[{"Config","RepoTags","Layers"}]`) and, when any image
///   is named, `repositories`. It holds images only (no index, no artifact) and no referrers.
///
/// `@unchecked Sendable`: all mutable state is guarded by `lock`.
public final class ArchiveDestination: @unchecked Sendable {
    /// The archive file, `-` for standard output.
    public let path: String
    public let format: ArchiveFormat
    /// docker-archive: the repository `RepoTags` names an image stored under a tag (`docker-archive:FILE:NAME:TAG`);
    /// without one a tagged image is listed unnamed.
    public let repository: String?
    /// Called with the byte counts of the manifests and metadata files written (blob bytes are reported through
    /// `putBlob`'s progress).
    let progress: (@Sendable (Int64) -> Void)?
    let lock = NSLock()
    /// nil when planning (`ArchiveDestination(planning:)`): everything is recorded, nothing is written.
    var writer: ArchiveWriter?
    /// The file being written, renamed to `path` by `finish`; nil for standard output and when planning.
    var temporary: String?
    var state = State()

    /// What has been written and what the archive will list.
    struct State {
        /// Blob files written (OCI: manifests too), with their sizes.
        var written: [Digest: Int64] = [:]
        var directories: Set<String> = []
        /// Content bytes written: blobs, manifests and metadata files.
        var bytes: Int64 = 0
        /// oci-archive: the entries of index.json.
        var entries: [Descriptor] = []
        /// Manifests listed that have a subject.
        var referrers: Set<Digest> = []
        /// docker-archive: the entries of manifest.json, with the image manifest digest each comes from.
        var images: [(digest: Digest, image: DockerArchiveImage)] = []
        /// docker-archive: `repositories` (`{"name":{"tag":"<last layer hex>"}}`).
        var repositories: [String: [String: String]] = [:]
        /// Why the archive was abandoned: every later call throws it.
        var failure: LayoutError?
        var finished = false

        /// Abandons the archive after `error` (kept as it is when it is a `LayoutError`).
        mutating func abandon(because error: any Error, _ description: String) {
            guard failure == nil else { return }
            failure = error as? LayoutError
                ?? .invalidArgument("\(description): an earlier write failed (\(error)); the archive is abandoned")
        }
    }

    /// Starts an archive at `path`: a temporary file next to it (leftovers of killed writers to the same path
    /// removed once their grace period is over), or standard output for `-`.
    /// - Parameters:
    ///   - compression: of the whole archive (blobs are stored as they are).
    ///   - repository: docker-archive: the name for images stored under a tag.
    ///   - progress: receives the byte counts of manifests and metadata files as they are written.
    /// - Throws: `LayoutError.invalidArgument` when `path` is a directory or its directory does not exist,
    ///   `.io`/`.archive` when the file cannot be created.
    public init(
        path: String, format: ArchiveFormat, compression: Compression = .none, repository: String? = nil,
        progress: (@Sendable (Int64) -> Void)? = nil
    ) throws(LayoutError) {
        self.path = path
        self.format = format
        self.repository = repository
        self.progress = progress
        if path == "-" {
            writer = try ArchiveWriter(path: "-", compression: compression)
        } else {
            if FileSystem.isDirectory(path) { throw .invalidArgument("\(path) is a directory, not an archive file") }
            let directory = FileSystem.parentDirectory(of: path)
            guard FileSystem.isDirectory(directory) else {
                throw .invalidArgument("cannot write \(path): the directory \(directory) does not exist")
            }
            Self.removeLeftovers(of: path)
            let temporary = "\(path).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
            self.temporary = temporary
            writer = try ArchiveWriter(path: temporary, compression: compression)
        }
        if format == .ociArchive {
            try addDirectory("blobs/")
            try addDirectory("blobs/sha256/")
        }
    }

    /// A destination that writes nothing and only counts: what `exportArchive` runs first to announce the
    /// total it will write, and to check names before the first byte.
    init(planning format: ArchiveFormat) {
        path = ""
        self.format = format
        repository = nil
        progress = nil
        writer = nil
    }

    deinit {
        if let temporary, !state.finished { unlink(temporary) }
    }

    public var description: String { "\(format.rawValue):\(path == "-" ? "standard output" : path)" }

    /// Blob files written so far (OCI: manifests included), each once.
    public var blobsWritten: Int { withState { $0.written.count } }
    /// Content bytes written so far: blobs, manifests and (once finished) metadata files, before compression.
    public var bytesWritten: Int64 { withState { $0.bytes } }
    /// Referrers listed in the archive's index.json.
    public var referrersListed: Int { withState { $0.referrers.count } }

    /// Abandons the archive: its temporary file is removed and nothing appears at `path`.
    public func discard() {
        withState { (state) in
            if state.failure == nil { state.failure = .invalidArgument("\(description) was discarded") }
            if let temporary, !state.finished { unlink(temporary) }
        }
    }

    func withState<T>(_ body: (inout State) throws(LayoutError) -> T) throws(LayoutError) -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(&state)
    }

    func withState<T>(_ body: (inout State) -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body(&state)
    }

    /// Adds a directory entry once (callers hold the lock, or are `init`).
    func addDirectory(_ name: String) throws(LayoutError) {
        guard state.directories.insert(name).inserted else { return }
        try writer?.addDirectory(name)
    }

    /// Adds a file from memory, counting its bytes (callers hold the lock).
    func addFile(_ name: String, _ data: Data) throws(LayoutError) {
        try writer?.addFile(name, contents: data)
        state.bytes += Int64(data.count)
        if writer != nil { progress?(Int64(data.count)) }
    }

    /// Removes what earlier writers to `path` left when they were killed: regular files named exactly as this
    /// writer names its own (`DEST.tmp-<pid>-<random>`, both numbers), of writers that are gone, once older
    /// than the grace period fsck and gc give temporary files. Any other file is the user's.
    static func removeLeftovers(of path: String) {
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
}
