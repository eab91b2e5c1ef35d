// SPDX-License-Identifier: Apache-2.0

/// One HTTP exchange as `CurlEasy` performs it.
struct CurlRequest {
    /// `GET`, `HEAD`, `PUT`, `POST`, `PATCH`, `DELETE`.
    var method: String
    /// The absolute URL.
    var url: String
    /// Request header fields, `Name: value`.
    var headers: [String] = []
    /// The request body length; when set the body is pulled from the read callback with this Content-Length
    /// (0 sends an empty body with `Content-Length: 0`).
    var uploadLength: Int64?
    /// Follow redirects (blob GETs are often redirected to object storage).
    var followRedirects = false
    /// TLS and timeouts.
    var transport: TransportOptions
    /// CA bundle and client certificate read from the certificate directory.
    var tls: TLSMaterial
}

/// How connections are made: TLS verification and trust, timeouts.
public struct TransportOptions: Sendable, Hashable {
    /// Verify the server's certificate and host name (curl's default). False accepts any certificate.
    public var tlsVerify: Bool
    /// A PEM bundle of CA certificates to trust instead of the system's.
    public var caFile: String?
    /// A directory as containers' `certs.d/HOST/` (skopeo `--cert-dir`): `*.crt` CAs trusted in addition to the
    /// system's (or `caFile`'s), `NAME.cert` + `NAME.key` a client certificate.
    public var certDirectory: String?
    /// Seconds allowed to connect.
    public var connectTimeout: Int
    /// A transfer slower than 1 byte/s for this many seconds is abandoned (and retried).
    public var stallTimeout: Int

    public init(
        tlsVerify: Bool = true, caFile: String? = nil, certDirectory: String? = nil, connectTimeout: Int = 30,
        stallTimeout: Int = 60
    ) {
        self.tlsVerify = tlsVerify
        self.caFile = caFile
        self.certDirectory = certDirectory
        self.connectTimeout = connectTimeout
        self.stallTimeout = stallTimeout
    }
}
