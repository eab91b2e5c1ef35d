// SPDX-License-Identifier: Apache-2.0
public import CurlTransport
public import Layout

/// Every failure of a Sync operation, each naming the registry (and repository) involved. (Hints and exit codes
/// are the CLI's: it maps each case to them.)
public enum SyncError: Error, Sendable, CustomStringConvertible {
    /// The registry could not be reached (name resolution, connection refused), after retries.
    case unreachable(host: String, CurlError)
    /// A transfer with the registry failed (TLS, connection cut, timeout), after retries.
    case transfer(host: String, CurlError)
    /// Credentials were missing or rejected, or the token server failed.
    case authenticationFailed(host: String, reason: String)
    /// Valid credentials that lack the permission a request needs (403, or a token without the scope).
    case accessDenied(host: String, reason: String)
    /// The registry answered with an error status; `message` holds the error envelope's codes and messages
    /// (or the start of the body).
    case registry(host: String, status: Int, codes: [DistributionErrorCode], message: String, context: String)
    /// A manifest, blob or tag does not exist: "manifest latest not found in HOST/REPO".
    case notFound(String)
    /// The registry answered something the protocol does not allow (a malformed manifest, a missing header,
    /// a digest that does not match).
    case invalidResponse(host: String, reason: String)
    /// A Layout operation failed (digest or size mismatch while writing a blob, an invalid manifest, I/O).
    case layout(LayoutError)
    /// The registry does not allow an operation (it answered 405 or `UNSUPPORTED`): "registry HOST does not
    /// allow deleting tags (…)".
    case unsupported(host: String, reason: String)
    /// A bad argument or configuration (reference, credentials, auth file).
    case invalidArgument(String)
    /// A docker credential helper (`docker-credential-NAME`, the program named first) is missing or failed.
    case credentialHelper(String, reason: String)
    /// The transfer was abandoned because the other side of a stream stopped (an upload failed while its
    /// source was still downloading).
    case cancelled

    public var description: String {
        switch self {
        case .unreachable(let host, let error): "cannot reach registry \(host): \(error.message)"
        case .transfer(let host, let error): "transfer with registry \(host) failed: \(error.message)"
        case .authenticationFailed(let host, let reason): "authentication to \(host) failed: \(reason)"
        case .accessDenied(let host, let reason): "access denied by \(host): \(reason)"
        case .registry(let host, let status, _, let message, let context):
            "\(context): registry \(host) answered \(status)" + (message.isEmpty ? "" : ": \(message)")
        case .notFound(let what): what
        case .invalidResponse(let host, let reason): "invalid response from registry \(host): \(reason)"
        case .layout(let error): error.description
        case .unsupported(let host, let reason): "registry \(host) \(reason)"
        case .invalidArgument(let reason): reason
        case .credentialHelper(let program, let reason): "credential helper \(program) failed: \(reason)"
        case .cancelled: "the transfer was cancelled"
        }
    }

    /// Whether the error says that a manifest, blob or repository does not exist.
    public var isNotFound: Bool {
        switch self {
        case .notFound, .registry(_, 404, _, _, _): true
        case .layout(let error): error.isNotFound
        default: false
        }
    }

    /// Whether the same request may succeed when retried: transient network failures, 429 and 5xx.
    var isRetryable: Bool {
        switch self {
        case .unreachable(_, let error), .transfer(_, let error): error.isTransient
        case .registry(_, let status, _, _, _): status == 429 || (500...599).contains(status)
        default: false
        }
    }
}

extension SyncError: EndpointError {
    /// An endpoint's error as a Sync error: itself, or a Layout error wrapped (the only two kinds endpoints
    /// throw; anything else is described).
    public init(_ error: any Error) {
        switch error {
        case let error as SyncError: self = error
        case let error as LayoutError: self = .layout(error)
        default: self = .layout(.invalidArgument(String(describing: error)))
        }
    }
}

/// Runs an endpoint or copy-engine call (whose errors are the endpoints' own), as a Sync error.
@inline(__always)
func endpointCall<T>(_ body: () throws -> T) throws(SyncError) -> T {
    do { return try body() } catch { throw SyncError(error) }
}

/// Runs a Layout call, wrapping its error.
@inline(__always)
func layoutCall<T>(_ body: () throws(LayoutError) -> T) throws(SyncError) -> T {
    do throws(LayoutError) { return try body() } catch { throw .layout(error) }
}
