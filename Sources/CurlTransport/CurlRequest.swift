// SPDX-License-Identifier: Apache-2.0

/// One HTTP exchange as `CurlEasy` performs it.
package struct CurlRequest {
    /// `GET`, `HEAD`, `PUT`, `POST`, `PATCH`, `DELETE`.
    package var method: String
    /// The absolute URL.
    package var url: String
    /// Request header fields, `Name: value`.
    package var headers: [String] = []
    /// The request body length; when set the body is pulled from the read callback with this Content-Length
    /// (0 sends an empty body with `Content-Length: 0`).
    package var uploadLength: Int64?
    /// Follow redirects (blob GETs are often redirected to object storage).
    package var followRedirects = false
    /// TLS and timeouts.
    package var transport: TransportOptions
    /// CA bundle and client certificate read from the certificate directory.
    package var tls: TLSMaterial
    /// Signs the request with AWS Signature Version 4 (libcurl's `CURLOPT_AWS_SIGV4`).
    package var signature: AWSSignature?

    package init(
        method: String, url: String, headers: [String] = [], uploadLength: Int64? = nil,
        transport: TransportOptions, tls: TLSMaterial, signature: AWSSignature? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.uploadLength = uploadLength
        self.transport = transport
        self.tls = tls
        self.signature = signature
    }
}

/// What libcurl needs to sign a request with AWS Signature Version 4: the credentials and the scope. libcurl
/// signs every header the request sets (so `x-amz-content-sha256` and `x-amz-security-token` must be set as
/// headers to be covered) and the query string as written.
package struct AWSSignature: Sendable, Hashable {
    package var accessKey: String
    package var secretKey: String
    /// The region of the credential scope (`us-east-1` for most S3-compatible servers).
    package var region: String
    /// The service of the credential scope.
    package var service: String

    package init(accessKey: String, secretKey: String, region: String, service: String = "s3") {
        self.accessKey = accessKey
        self.secretKey = secretKey
        self.region = region
        self.service = service
    }
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
