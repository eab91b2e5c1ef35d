// SPDX-License-Identifier: Apache-2.0

/// A failure of a blob upload session: the session is unknown or cannot take the request, or a store
/// operation underneath failed.
public enum UploadError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No such session (never existed, finished, cancelled or expired), or it belongs to another repository.
    case unknown(String)
    /// A chunk does not start where the session's data ends.
    case outOfOrder(id: String, offset: Int64, start: Int64)
    /// The request does not fit the session (another request is writing to it, a malformed range, ...).
    case invalid(String)
    /// A store operation failed.
    case layout(LayoutError)
    /// No session can start now: the store or the repository has as many open sessions as `UploadLimits` allows.
    case tooMany(String)

    public var description: String {
        switch self {
        case .unknown(let id): "blob upload \(id) is unknown (finished, cancelled, expired or never started)"
        case .outOfOrder(let id, let offset, let start):
            "chunk of upload \(id) starts at byte \(start), but the upload holds \(offset) bytes: "
                + "the next chunk must start at \(offset)"
        case .invalid(let reason): reason
        case .layout(let error): error.description
        case .tooMany(let reason): reason
        }
    }

    /// The distribution-spec error code a registry reports.
    public var code: DistributionErrorCode {
        switch self {
        case .unknown: .blobUploadUnknown
        case .outOfOrder, .invalid: .blobUploadInvalid
        case .layout(let error): error.code
        case .tooMany: .tooManyRequests
        }
    }
}
