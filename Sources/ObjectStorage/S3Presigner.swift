// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
import OCICrypto

/// Presigned `GET` URLs (AWS Signature V4 in the query string), so a client can fetch an object straight from
/// the bucket for a while without credentials. libcurl signs requests it sends but does not presign, so the
/// few steps of the specification are made here from libcrypto's HMAC-SHA256 and SHA-256.
///
/// Spec: https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html
struct S3Presigner {
    let location: S3Location
    let credentials: S3Credentials

    /// A URL that reads `key` for `seconds` (at most a week) from `now`.
    func getURL(_ key: String, validFor seconds: Int, now: Date = Date()) -> String {
        let stamp = Self.timestamp(now)
        let day = String(stamp.prefix(8))
        let scope = "\(day)/\(location.region)/s3/aws4_request"
        var query = [
            ("X-Amz-Algorithm", "AWS4-HMAC-SHA256"), ("X-Amz-Credential", "\(credentials.accessKey)/\(scope)"),
            ("X-Amz-Date", stamp), ("X-Amz-Expires", String(min(max(seconds, 1), 604_800))),
            ("X-Amz-SignedHeaders", "host"),
        ]
        if let token = credentials.sessionToken { query.append(("X-Amz-Security-Token", token)) }
        let canonicalQuery = S3Location.query(query)
        let path = "/\(location.bucket)/\(S3Location.encodePath(key))"
        let canonicalRequest = ["GET", path, canonicalQuery, "host:\(host)", "", "host", "UNSIGNED-PAYLOAD"]
            .joined(separator: "\n")
        let stringToSign = [
            "AWS4-HMAC-SHA256", stamp, scope, Digest.sha256(of: Data(canonicalRequest.utf8)).encoded,
        ].joined(separator: "\n")
        var key = Array("AWS4\(credentials.secretKey)".utf8)
        for part in [day, location.region, "s3", "aws4_request"] { key = HMAC.sha256(key: key, message: Array(part.utf8)) }
        let signature = HMAC.sha256(key: key, message: Array(stringToSign.utf8)).map { String(format: "%02x", $0) }
            .joined()
        return "\(location.endpoint)\(path)?\(canonicalQuery)&X-Amz-Signature=\(signature)"
    }

    /// The endpoint's host and port as a client sends them in `Host`.
    private var host: String {
        var rest = location.endpoint
        for scheme in ["https://", "http://"] where rest.hasPrefix(scheme) { rest.removeFirst(scheme.count) }
        return String(rest.prefix { $0 != "/" })
    }

    /// `YYYYMMDDTHHMMSSZ`.
    private static func timestamp(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.string(from: date)
    }
}
