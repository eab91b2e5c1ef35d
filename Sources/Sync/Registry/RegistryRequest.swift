// SPDX-License-Identifier: Apache-2.0
import CurlTransport
import Foundation
import Layout

/// One request to a registry, before authentication is added.
struct RegistryRequest {
    var method: String
    var url: String
    var headers: [String] = []
    /// The token scopes the request needs (`repository:NAME:pull`, `repository:NAME:pull,push`).
    var scopes: [String] = []
    var body: Body = .none
    /// Follow redirects (blob GETs may be redirected to object storage; curl drops `Authorization` when the
    /// redirect leaves the host).
    var followRedirects = false
    /// Add the registry's authorization and answer its challenges (false for the token server itself).
    var authenticate = true
    /// What the request is for, for error messages ("pushing manifest latest to HOST/REPO").
    var context: String

    enum Body {
        case none
        case data(Data)
        /// `length` bytes pulled from the stream. A stream is read once: a request whose body was partly sent
        /// cannot be re-sent after a challenge, and fails with a retryable error instead.
        case stream(length: Int64, any BlobStream)
    }
}

/// What to do with a response body.
enum ResponseHandling {
    /// Keep the body (up to `limit` bytes; a longer 2xx body is an error).
    case collect(limit: Int)
    /// Hand each piece of a 2xx body to the consumer, with the status (200 or 206) and header fields; other
    /// bodies are kept (up to 1 MiB) for the error message.
    case stream((Int, HTTPHeaders, UnsafeRawBufferPointer) throws(SyncError) -> Void)
}

/// A registry's answer.
struct RegistryResponse {
    var status: Int
    var headers: HTTPHeaders
    /// The body when collected, or an error body (capped).
    var body: Data

    var isSuccess: Bool { (200..<300).contains(status) }
}
