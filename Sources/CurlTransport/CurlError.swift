// SPDX-License-Identifier: Apache-2.0

/// A libcurl failure: the `CURLcode` and libcurl's message for it (plus the detail from the error buffer when
/// libcurl wrote one).
public struct CurlError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The `CURLcode` value.
    public let code: Int32
    /// libcurl's message.
    public let message: String

    public init(code: Int32, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(message) (curl error \(code))" }

    /// Whether retrying the same request may succeed: refused or reset connections, timeouts, cut transfers.
    /// Name resolution, TLS verification and callback aborts are not transient.
    public var isTransient: Bool { CurlError.transientCodes.contains(code) }

    /// Whether the server could not be reached at all (resolution or connection failure).
    /// (CURLE_COULDNT_RESOLVE_HOST 6, CURLE_COULDNT_CONNECT 7.)
    public var isUnreachable: Bool { code == 6 || code == 7 }

    /// CURLE_COULDNT_CONNECT 7, HTTP2 16, PARTIAL_FILE 18, OPERATION_TIMEDOUT 28, SSL_CONNECT_ERROR 35,
    /// GOT_NOTHING 52, SEND_ERROR 55, RECV_ERROR 56, SEND_FAIL_REWIND 65, HTTP2_STREAM 92.
    package static let transientCodes: Set<Int32> = [7, 16, 18, 28, 35, 52, 55, 56, 65, 92]
    /// CURLE_SSL_CONNECT_ERROR: the TLS handshake failed (a plain HTTP server answers a ClientHello with this).
    package static let tlsConnectError: Int32 = 35
}
