// SPDX-License-Identifier: Apache-2.0

/// A content digest such as `sha256:<64 hex>`.
///
/// Spec: https://github.com/opencontainers/image-spec/blob/v1.1.0/descriptor.md#digests
/// Only the registered algorithms (sha256, sha512) are accepted, with lowercase hex of the exact length.
public struct Digest: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The hash algorithm.
    public let algorithm: DigestAlgorithm
    /// The lowercase hex encoding of the hash.
    public let encoded: String

    /// Parses and validates `algorithm:encoded`.
    /// - Throws: `LayoutError.invalidDigest` when the text is not a registered digest.
    public init(_ string: String) throws(LayoutError) {
        guard let colon = string.firstIndex(of: ":") else { throw .invalidDigest(string) }
        guard let algorithm = DigestAlgorithm(rawValue: String(string[..<colon])) else {
            throw .invalidDigest(string)
        }
        let encoded = String(string[string.index(after: colon)...])
        guard encoded.utf8.count == algorithm.hexLength,
            encoded.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) })
        else { throw .invalidDigest(string) }
        self.algorithm = algorithm
        self.encoded = encoded
    }

    /// Builds a digest from an algorithm and already-validated hex.
    init(algorithm: DigestAlgorithm, encoded: String) {
        self.algorithm = algorithm
        self.encoded = encoded
    }

    /// `algorithm:encoded`.
    public var description: String { "\(algorithm.rawValue):\(encoded)" }

    /// The path of this blob relative to a layout root: `blobs/<alg>/<hex>`.
    public var blobPath: String { "blobs/\(algorithm.rawValue)/\(encoded)" }

    /// The referrers tag schema name for this digest: `<alg>-<hex>` truncated to 128 characters.
    /// Spec: https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md#referrers-tag-schema
    public var referrersTag: String { String("\(algorithm.rawValue)-\(encoded)".prefix(128)) }

    public static func < (lhs: Digest, rhs: Digest) -> Bool { lhs.description < rhs.description }
}

extension Digest: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do { self = try Digest(text) } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// A registered digest algorithm.
public enum DigestAlgorithm: String, Sendable, Codable, CaseIterable {
    case sha256
    case sha512

    /// Number of hex characters in an encoded hash.
    public var hexLength: Int { self == .sha256 ? 64 : 128 }
}
