// SPDX-License-Identifier: Apache-2.0
import Foundation
import Glibc
import HTTPTypes
import Hummingbird
import Layout

/// A /v2 error as the distribution spec shapes it: a status and the JSON envelope
/// `{"errors":[{"code","message","detail"}]}` with `Content-Type: application/json`.
///
/// Spec: https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md#error-codes
struct OCIError: HTTPResponseError, CustomStringConvertible {
    /// The error code as sent (a spec code, or `UNKNOWN` for a server fault).
    let code: String
    let message: String
    let detail: String?
    let status: HTTPResponse.Status
    /// Extra response headers (e.g. `Range` and `Location` with a 416 on an upload).
    var headers: HTTPFields

    /// - Parameters:
    ///   - code: the spec code.
    ///   - message: what went wrong, for a person.
    ///   - detail: more about it, if useful.
    ///   - status: overrides the code's usual status (416 for an out-of-order chunk, 413 for a large manifest).
    ///   - headers: extra headers.
    init(
        _ code: DistributionErrorCode, _ message: String, detail: String? = nil,
        status: HTTPResponse.Status? = nil, headers: HTTPFields = [:]
    ) {
        self.code = code.rawValue
        self.message = message
        self.detail = detail
        self.status = status ?? OCIError.status(for: code)
        self.headers = headers
    }

    /// A server fault: 500 with a generic message (the details belong in the log, not the response).
    static let internalError = OCIError(
        code: "UNKNOWN", message: "internal server error", detail: nil, status: .internalServerError, headers: [:])

    /// The store's disk (or quota) is full: 507, nothing was stored. Not a fault of the request, but not a
    /// server bug either, so the message says what happened (the spec has no code for it: `UNKNOWN`).
    static let insufficientStorage = OCIError(
        code: "UNKNOWN", message: "no space left on the registry's storage: nothing was stored; retry when space is freed",
        detail: nil, status: HTTPResponse.Status(code: 507, reasonPhrase: "Insufficient Storage"), headers: [:])

    /// The store's backend (an object store) cannot be reached or is overloaded: 503 `UNAVAILABLE` (as CNCF
    /// distribution answers) with `Retry-After`; nothing was stored or changed, and the request can be repeated.
    static let storageUnavailable = OCIError(
        code: "UNAVAILABLE", message: "the registry's storage is unavailable: nothing was changed; retry the request later",
        detail: nil, status: .serviceUnavailable, headers: [.retryAfter: "5"])

    private init(code: String, message: String, detail: String?, status: HTTPResponse.Status, headers: HTTPFields) {
        self.code = code
        self.message = message
        self.detail = detail
        self.status = status
        self.headers = headers
    }

    /// The usual status of each code (conventions.md's table).
    static func status(for code: DistributionErrorCode) -> HTTPResponse.Status {
        switch code {
        case .blobUnknown, .blobUploadUnknown, .manifestUnknown, .nameUnknown: .notFound
        case .blobUploadInvalid, .digestInvalid, .manifestBlobUnknown, .manifestInvalid, .nameInvalid, .sizeInvalid,
            .tagInvalid:
            .badRequest
        case .unauthorized: .unauthorized
        case .denied: .forbidden
        case .unsupported: .methodNotAllowed
        case .tooManyRequests: .tooManyRequests
        case .rangeInvalid: .rangeNotSatisfiable
        }
    }

    var description: String { "\(status.code) \(code): \(message)" }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = self.headers
        headers[.contentType] = "application/json"
        guard request.method != .head else {
            headers[.contentLength] = "0"
            return Response(status: status, headers: headers, body: ResponseBody())
        }
        let buffer = body
        headers[.contentLength] = String(buffer.readableBytes)
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: buffer))
    }

    /// The JSON envelope `{"errors":[{"code","message","detail"}]}` (also written below the router, by
    /// `MalformedRequestHandler`).
    var body: ByteBuffer {
        let envelope = Envelope(errors: [Envelope.Entry(code: code, message: message, detail: detail)])
        let data = (try? JSONEncoder.ocitool.encode(envelope)) ?? Data(#"{"errors":[]}"#.utf8)
        return ByteBuffer(bytes: data)
    }

    /// The wire envelope.
    private struct Envelope: Encodable {
        struct Entry: Encodable {
            let code: String
            let message: String
            let detail: String?
        }
        let errors: [Entry]
    }
}

extension OCIError {
    /// The error a Layout failure becomes; nil for server faults (I/O, a broken layout), which become 500.
    init?(_ error: LayoutError) {
        switch error {
        case .io(_, _, let code) where code == ENOSPC || code == EDQUOT:
            self = .insufficientStorage
        case .io(_, _, let code) where code == ECONNREFUSED || code == EAGAIN:
            self = .storageUnavailable
        case .io, .invalidLayout, .archive, .unsafeArchiveEntry, .verificationFailed:
            return nil
        case .manifestTooLarge:
            self.init(.manifestInvalid, error.description, status: .contentTooLarge)
        case .notALayout, .layoutMissing:
            self.init(.nameUnknown, "repository name not known to registry")
        default:
            self.init(error.code, error.description)
        }
    }

    /// The error an upload failure becomes; nil for server faults.
    init?(_ error: UploadError) {
        switch error {
        case .layout(let underlying):
            self.init(underlying)
        case .outOfOrder:
            self.init(error.code, error.description, status: .rangeNotSatisfiable)
        case .unknown, .invalid:
            self.init(error.code, error.description)
        case .tooMany:
            // 429: the spec's code for a client asking too much; the limit frees as uploads finish or expire.
            self.init(error.code, error.description, headers: [.retryAfter: "60"])
        }
    }
}
