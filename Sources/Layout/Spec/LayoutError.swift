// SPDX-License-Identifier: Apache-2.0
import Glibc

/// Every failure of a Layout operation: a precise message and the OCI error code a registry reports for it.
/// (Hints and exit codes are the CLI's: it maps each case to them.)
public enum LayoutError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidDigest(String)
    case invalidName(String, reason: String)
    case invalidTag(String)
    case invalidReference(String, reason: String)
    case invalidArgument(String)
    case notALayout(String)
    /// Nothing exists at the path where a layout was expected.
    case layoutMissing(String)
    case invalidLayout(String, reason: String)
    case blobNotFound(Digest)
    case manifestNotFound(String)
    case digestMismatch(expected: Digest, actual: Digest)
    case sizeMismatch(Digest, expected: Int64, actual: Int64)
    case manifestInvalid(String)
    case manifestTooLarge(size: Int64, limit: Int)
    case manifestBlobUnknown(Digest)
    case tooLarge(String, size: Int64, limit: Int)
    case archive(String)
    case unsafeArchiveEntry(String, reason: String)
    case io(String, path: String, errno: Int32)
    case unsupported(String)
    case verificationFailed(String)
    /// An archive's content contradicts what the archive itself claims (a digest, diff ID, size or checksum).
    case archiveMismatch(String)
    /// The referrers of `image` went on past `limit` (referrers of referrers counted too).
    case tooManyReferrers(source: String, image: Digest, limit: Int)
    /// A storage refused content as not being `digest`'s (an object store checking the signed payload hash):
    /// nothing was stored.
    case contentRefused(Digest, by: String)
    /// Another writer changed what this one was changing since it read it (an upload session another server
    /// went on with): nothing of this writer's change was kept.
    case changedMeanwhile(String)
    /// A stream was abandoned because its other side stopped (an upload failed while its source was still
    /// being read).
    case cancelled

    public var description: String {
        switch self {
        case .invalidDigest(let text):
            "invalid digest '\(text)': expected sha256:<64 hex> or sha512:<128 hex>, lowercase"
        case .invalidName(let name, let reason): "invalid repository name '\(name)': \(reason)"
        case .invalidTag(let tag):
            "invalid tag '\(tag)': tags are 1-128 characters of [A-Za-z0-9_.-] and do not start with '.' or '-'"
        case .invalidReference(let text, let reason): "invalid reference '\(text)': \(reason)"
        case .invalidArgument(let text): text
        case .notALayout(let path): "\(path) is not an OCI image layout (no oci-layout file)"
        case .layoutMissing(let path): "\(path) does not exist"
        case .invalidLayout(let path, let reason): "\(path): \(reason)"
        case .blobNotFound(let digest): "blob \(digest) not found"
        case .manifestNotFound(let reference): "manifest \(reference) not found"
        case .digestMismatch(let expected, let actual): "digest mismatch: expected \(expected), content is \(actual)"
        case .sizeMismatch(let digest, let expected, let actual):
            "size mismatch for \(digest): expected \(expected) bytes, got \(actual)"
        case .manifestInvalid(let reason): "invalid manifest: \(reason)"
        case .manifestTooLarge(let size, let limit): "manifest of \(size) bytes exceeds the \(limit)-byte limit"
        case .manifestBlobUnknown(let digest): "manifest references \(digest), which is not in the layout"
        case .tooLarge(let what, let size, let limit): "\(what) is \(size) bytes, more than the \(limit)-byte limit"
        case .archive(let reason): "malformed archive: \(reason)"
        case .unsafeArchiveEntry(let name, let reason): "unsafe archive entry '\(name)': \(reason)"
        case .io(let operation, let path, let errno):
            "cannot \(operation) \(path): \(String(cString: strerror(errno)))"
        case .unsupported(let reason): reason
        case .verificationFailed(let reason): reason
        case .archiveMismatch(let reason): "archive content does not match: \(reason)"
        case .tooManyReferrers(let source, let image, let limit):
            "more than \(limit) referrers of \(image) in \(source); stopped following them"
        case .contentRefused(let digest, let storage): "\(storage) refused the content: it does not hash to \(digest)"
        case .changedMeanwhile(let reason): reason
        case .cancelled: "the transfer was cancelled"
        }
    }

    /// Whether the error says that something (a layout, manifest or blob) does not exist.
    public var isNotFound: Bool {
        switch self {
        case .notALayout, .layoutMissing, .blobNotFound, .manifestNotFound: true
        default: false
        }
    }

    /// The distribution-spec error code a registry reports for this error.
    public var code: DistributionErrorCode {
        switch self {
        case .invalidDigest, .digestMismatch, .archiveMismatch, .contentRefused: .digestInvalid
        case .changedMeanwhile: .blobUploadInvalid
        case .invalidName: .nameInvalid
        case .invalidTag: .tagInvalid
        case .notALayout, .layoutMissing: .nameUnknown
        case .blobNotFound: .blobUnknown
        case .manifestNotFound: .manifestUnknown
        case .sizeMismatch, .tooLarge: .sizeInvalid
        case .manifestInvalid, .manifestTooLarge, .invalidReference, .invalidArgument: .manifestInvalid
        case .manifestBlobUnknown: .manifestBlobUnknown
        case .unsupported: .unsupported
        case .invalidLayout, .archive, .unsafeArchiveEntry, .io, .verificationFailed, .tooManyReferrers, .cancelled:
            .unsupported
        }
    }
}
