// SPDX-License-Identifier: Apache-2.0
import HTTPTypes
import Layout
import NIOHTTP1

extension OCIError {
    /// The answer to a request the connection could not read: 400 (`SIZE_INVALID` for its length, else
    /// `UNSUPPORTED`, the spec's code for "an invalid set of parameters"), 501 for a method or transfer coding the
    /// server does not implement, 505 for an HTTP version other than 1.x, 431 for an oversized header section.
    /// The message says what was wrong; `detail` names the decoder's error.
    init(_ error: MalformedRequest) {
        let detail = error.description
        switch error {
        case .transferEncoding(let value):
            self.init(
                .unsupported,
                "Transfer-Encoding '\(value)' is not supported: send the body with Content-Length, or with "
                    + "Transfer-Encoding: chunked alone",
                detail: detail, status: .notImplemented)
        case .conversion:
            self.init(.unsupported, "the request head is not valid HTTP", detail: detail, status: .badRequest)
        case .parser(let parserError):
            let (code, message, status) = OCIError.answer(to: parserError)
            self.init(code, message, detail: detail, status: status)
        }
    }

    /// The error for a request body that could not be read to its end, after `count` bytes had arrived: the
    /// decoder's own reason when the body was malformed, else 400 SIZE_INVALID (the body broke off: the client
    /// closed the connection or sent less than it announced).
    static func unreadableBody(_ error: any Error, after count: Int64) -> OCIError {
        if let malformed = error as? MalformedRequest, !malformed.isTruncation { return OCIError(malformed) }
        return OCIError(
            .sizeInvalid,
            "the request body broke off after \(count) bytes: the client closed the connection or sent less than "
                + "its Content-Length announced")
    }

    /// Code, message and status for each error of NIO's HTTP/1 decoder.
    private static func answer(to error: HTTPParserError) -> (DistributionErrorCode, String, HTTPResponse.Status) {
        switch error {
        case .invalidEOFState:
            return (
                .sizeInvalid,
                "the request ended before its body did: the client closed the connection or sent less than its "
                    + "Content-Length announced", .badRequest
            )
        case .invalidContentLength:
            return (.sizeInvalid, "invalid Content-Length: it must be one decimal number of bytes", .badRequest)
        case .unexpectedContentLength:
            return (
                .sizeInvalid,
                "conflicting Content-Length: the request has more than one, or one beside Transfer-Encoding",
                .badRequest
            )
        case .invalidChunkSize:
            return (
                .unsupported, "malformed chunked body: a chunk size is not a hexadecimal number ending its line",
                .badRequest
            )
        case .invalidMethod:
            return (
                .unsupported,
                "unknown request method (methods are case-sensitive): this registry implements GET, HEAD, PUT, "
                    + "POST, PATCH and DELETE", .notImplemented
            )
        case .invalidVersion:
            return (
                .unsupported, "unsupported HTTP version: this registry speaks HTTP/1.1 (and HTTP/1.0)",
                HTTPResponse.Status(code: 505, reasonPhrase: "HTTP Version Not Supported")
            )
        case .invalidURL:
            return (
                .unsupported,
                "malformed request target: it must be an absolute path of printable ASCII (percent-encode other "
                    + "bytes)", .badRequest
            )
        case .headerOverflow:
            return (
                .unsupported, "the request's header section is too large (at most 80 KiB and 1000 fields)",
                .requestHeaderFieldsTooLarge
            )
        case .invalidHeaderToken, .invalidCharactersUsed, .lfExpected, .invalidConstant, .strictModeAssertion:
            return (
                .unsupported,
                "malformed request line or header: a header name or value holds a character HTTP does not allow, "
                    + "or a line does not end in CRLF", .badRequest
            )
        default:
            return (.unsupported, "malformed HTTP/1 request", .badRequest)
        }
    }
}
