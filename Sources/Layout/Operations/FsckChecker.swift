// SPDX-License-Identifier: Apache-2.0
import Foundation

/// One run of `OCILayout.check(repair:)`: the state gathered while checking, and the repairs to make.
struct FsckChecker {
    /// What the blob scan found for a digest.
    enum BlobState {
        case valid(size: Int64)
        case corrupt(size: Int64)

        /// The blob file's size.
        var size: Int64 {
            switch self {
            case .valid(let size), .corrupt(let size): size
            }
        }
    }

    /// How one index.json entry (all entries of one digest) is to be repaired.
    struct EntryRepair {
        /// Drop the entry, for this reason.
        var drop: String?
        var size: Int64?
        var mediaType: MediaType?
        /// Set the subject annotation to this manifest's subject (or remove it when the manifest has none).
        var subjectOf: Manifest?
    }

    let layout: OCILayout
    let repair: Bool
    var report = FsckReport()
    var blobs: [Digest: BlobState] = [:]
    var checkedManifests = Set<Digest>()
    var reportedMissing = Set<Digest>()
    var entryRepairs: [Digest: EntryRepair] = [:]

    /// Temporary files are spared by a repair while their writer runs and they are younger than this.
    static let temporaryFileGrace: Double = 3600
    /// Largest `oci-layout` file read.
    static let layoutFileLimit = 64 * 1024

    init(layout: OCILayout, repair: Bool) {
        self.layout = layout
        self.repair = repair
    }

    mutating func run() throws(LayoutError) {
        if layout.fileStorage != nil {
            checkLayoutFile()
            try checkTemporaryFiles()
            try scanBlobs()
        } else {
            // An object store's repository: no layout file or temporary files of its own, and its blobs are
            // what its storage lists.
            for digest in layout.allBlobs().sorted() { try hash(digest) }
        }
        let index: ImageIndex
        do {
            index = try layout.readIndex()
        } catch .invalidLayout(_, let reason) {
            problem(.invalidIndex, message: reason)
            return
        } catch .tooLarge(_, let size, let limit) {
            problem(.invalidIndex, message: "index.json is \(size) bytes, more than the \(limit)-byte limit")
            return
        }
        checkTags(index)
        for entry in index.manifests { try checkEntry(entry) }
        if repair { try applyEntryRepairs() }
    }

    mutating func problem(_ kind: FsckProblem.Kind, digest: Digest? = nil, message: String) {
        report.problems.append(FsckProblem(kind: kind, digest: digest, message: message))
    }

    /// The state of a blob: from the scan, or for a blob written since, from its storage (not hashed).
    func blobState(_ digest: Digest) -> BlobState? {
        if let state = blobs[digest] { return state }
        return layout.blobSize(digest).map { BlobState.valid(size: $0) }
    }

    private mutating func checkLayoutFile() {
        let path = layout.path + "/oci-layout"
        guard let data = try? FileSystem.readFile(path, limit: FsckChecker.layoutFileLimit) else {
            problem(.invalidLayoutFile, message: "oci-layout is missing, unreadable or larger than 64 KiB")
            return
        }
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            problem(.invalidLayoutFile, message: "oci-layout is not a JSON object")
            return
        }
        guard let version = object["imageLayoutVersion"] as? String else {
            problem(.invalidLayoutFile, message: "oci-layout has no imageLayoutVersion string")
            return
        }
        if version != "1.0.0" {
            problem(.invalidLayoutFile, message: "oci-layout has imageLayoutVersion '\(version)', expected '1.0.0'")
        }
        if !FileSystem.isDirectory(layout.path + "/blobs") {
            problem(.invalidLayoutFile, message: "the blobs directory is missing")
        }
    }

    private mutating func checkTemporaryFiles() throws(LayoutError) {
        for file in layout.temporaryFiles() {
            if repair, !file.mayBeInFlight(grace: FsckChecker.temporaryFileGrace), try layout.removeTemporaryFile(file) {
                report.repaired.append("removed temporary file \(file.relativePath)")
            } else {
                report.temporaryFiles.append(file.relativePath)
            }
        }
    }

    private mutating func scanBlobs() throws(LayoutError) {
        let root = layout.path + "/blobs"
        for name in FileSystem.list(root).sorted() {
            guard DigestAlgorithm(rawValue: name) != nil, FileSystem.isDirectory("\(root)/\(name)") else {
                problem(
                    .invalidBlobName,
                    message: "blobs/\(name) is not a directory of a registered digest algorithm (sha256, sha512)")
                continue
            }
            for file in FileSystem.list("\(root)/\(name)").sorted() {
                guard let digest = try? Digest("\(name):\(file)") else {
                    problem(.invalidBlobName, message: "blobs/\(name)/\(file) is not named by a valid \(name) digest")
                    continue
                }
                guard FileSystem.fileSize(layout.blobPath(digest)) != nil else {
                    problem(.invalidBlobName, digest: digest, message: "blobs/\(name)/\(file) is not a regular file")
                    continue
                }
                try hash(digest)
            }
        }
    }

    /// Hashes one blob in a single streamed pass and records its state; a repair removes it when corrupt.
    private mutating func hash(_ digest: Digest) throws(LayoutError) {
        let (actual, size): (Digest, Int64)
        do {
            (actual, size) = try layout.hashBlob(digest)
        } catch .blobNotFound {
            // Removed meanwhile; or, in an object store, still listed (its link is there) with its bytes gone.
            if layout.fileStorage == nil, layout.blobSize(digest) != nil {
                blobs[digest] = .corrupt(size: 0)
                problem(.missingBlob, digest: digest, message: "blob \(digest) is listed but its content is gone")
            }
            return
        }
        report.blobsChecked += 1
        report.bytesChecked += size
        if actual == digest {
            blobs[digest] = .valid(size: size)
        } else if repair {
            try layout.removeBlob(digest)
            report.repaired.append("removed corrupt blob \(digest) (its content hashes to \(actual))")
        } else {
            blobs[digest] = .corrupt(size: size)
            problem(.corruptBlob, digest: digest, message: "blob \(digest) has content \(actual)")
        }
    }

    private mutating func checkTags(_ index: ImageIndex) {
        var digestsByTag: [String: [Digest]] = [:]
        for entry in index.manifests {
            guard let tag = entry.refName else { continue }
            if !Names.isValidTag(tag) {
                problem(
                    .invalidTag, digest: entry.digest,
                    message: "index.json entry \(entry.digest) has ref name '\(tag)', which is not a valid tag")
            }
            digestsByTag[tag, default: []].append(entry.digest)
        }
        for (tag, digests) in digestsByTag.sorted(by: { $0.key < $1.key }) where digests.count > 1 {
            let listed = digests.map(\.description).joined(separator: ", ")
            problem(.duplicateTag, message: "tag '\(tag)' is listed \(digests.count) times in index.json (\(listed))")
        }
    }

    /// How an index.json entry is named in messages.
    static func label(_ entry: Descriptor) -> String {
        if let tag = entry.refName { return "index.json entry '\(tag)' (\(entry.digest))" }
        return "index.json entry \(entry.digest)"
    }
}
