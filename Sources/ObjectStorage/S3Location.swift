// SPDX-License-Identifier: Apache-2.0
public import Layout

/// Where a store lives in object storage: `s3://BUCKET/PREFIX` on an S3-compatible endpoint, addressed
/// path-style (`ENDPOINT/BUCKET/KEY`, which every S3-compatible server understands, unlike virtual hosts).
public struct S3Location: Sendable, Hashable, CustomStringConvertible {
    /// The bucket's name.
    public let bucket: String
    /// The key prefix every object of the store starts with: empty, or ending in `/`.
    public let prefix: String
    /// The service's base URL, e.g. `http://127.0.0.1:7480` (no trailing `/`).
    public let endpoint: String
    /// The region requests are signed for.
    public let region: String

    /// - Parameters:
    ///   - url: `s3://BUCKET[/PREFIX]`.
    ///   - endpoint: `http[s]://HOST[:PORT]`; nil: AWS's regional endpoint.
    ///   - region: nil: `AWS_REGION`, else `us-east-1`.
    /// - Throws: `LayoutError.invalidReference` for anything else.
    public init(_ url: String, endpoint: String? = nil, region: String? = nil, environment: [String: String] = [:])
        throws(LayoutError)
    {
        guard url.hasPrefix("s3://") else { throw .invalidReference(url, reason: "expected s3://BUCKET[/PREFIX]") }
        let path = url.dropFirst("s3://".count)
        let parts = path.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        let bucket = String(parts.first ?? "")
        guard Self.isBucketName(bucket) else {
            throw .invalidReference(url, reason: "'\(bucket)' is not a bucket name (3-63 of a-z, 0-9, '.', '-')")
        }
        let prefix = parts.count > 1 ? parts[1].split(separator: "/").joined(separator: "/") : ""
        guard !prefix.split(separator: "/").contains(where: { $0 == "." || $0 == ".." }) else {
            throw .invalidReference(url, reason: "the prefix may not contain '.' or '..' segments")
        }
        let region = region ?? environment["AWS_REGION"] ?? environment["AWS_DEFAULT_REGION"] ?? "us-east-1"
        var base = endpoint ?? "https://s3.\(region).amazonaws.com"
        while base.hasSuffix("/") { base.removeLast() }
        guard base.hasPrefix("http://") || base.hasPrefix("https://") else {
            throw .invalidReference(base, reason: "the endpoint must be an http:// or https:// URL")
        }
        self.bucket = bucket
        self.prefix = prefix.isEmpty ? "" : prefix + "/"
        self.endpoint = base
        self.region = region
    }

    public var description: String { "s3://\(bucket)/\(prefix)" }

    /// The full key of `name` under the prefix.
    public func key(_ name: String) -> String { prefix + name }

    /// The URL of an object (or of the bucket, for an empty key), with a query already in canonical form.
    func url(key: String, query: String = "") -> String {
        let path = key.isEmpty ? "" : "/" + Self.encodePath(key)
        return "\(endpoint)/\(bucket)\(path)" + (query.isEmpty ? "" : "?" + query)
    }

    /// SigV4's URI encoding of a key: every byte but the unreserved characters and `/` percent-encoded, so that
    /// the path libcurl signs is the path the server canonicalises.
    static func encodePath(_ key: String) -> String { encode(key, keepingSlash: true) }

    /// SigV4's encoding of a query name or value (`/` encoded too).
    static func encodeQuery(_ value: String) -> String { encode(value, keepingSlash: false) }

    /// A canonical query string: names and values encoded, sorted by name (what SigV4 signs).
    static func query(_ items: [(String, String)]) -> String {
        items.map { (encodeQuery($0.0), encodeQuery($0.1)) }.sorted { $0.0 < $1.0 }.map { "\($0.0)=\($0.1)" }
            .joined(separator: "&")
    }

    private static func encode(_ text: String, keepingSlash: Bool) -> String {
        var result = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                result.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: "/") where keepingSlash:
                result.append("/")
            default:
                result += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return result
    }

    /// S3's bucket naming rules (lower case, digits, dots and hyphens; 3 to 63 long; letters or digits at the
    /// ends).
    static func isBucketName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (3...63).contains(bytes.count) else { return false }
        func alphanumeric(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
        }
        guard alphanumeric(bytes.first!), alphanumeric(bytes.last!) else { return false }
        return bytes.allSatisfy { alphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") }
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
