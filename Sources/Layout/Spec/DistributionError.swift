// SPDX-License-Identifier: Apache-2.0

/// The error codes of the distribution spec, spelled exactly as on the wire.
///
/// Spec: https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md#error-codes
public enum DistributionErrorCode: String, Codable, Sendable, CaseIterable {
    case blobUnknown = "BLOB_UNKNOWN"
    case blobUploadInvalid = "BLOB_UPLOAD_INVALID"
    case blobUploadUnknown = "BLOB_UPLOAD_UNKNOWN"
    case digestInvalid = "DIGEST_INVALID"
    case manifestBlobUnknown = "MANIFEST_BLOB_UNKNOWN"
    case manifestInvalid = "MANIFEST_INVALID"
    case manifestUnknown = "MANIFEST_UNKNOWN"
    case nameInvalid = "NAME_INVALID"
    case nameUnknown = "NAME_UNKNOWN"
    case sizeInvalid = "SIZE_INVALID"
    case unauthorized = "UNAUTHORIZED"
    case denied = "DENIED"
    case unsupported = "UNSUPPORTED"
    case tooManyRequests = "TOOMANYREQUESTS"
    /// Not in the spec's table but used by distribution and expected by clients for bad tags.
    case tagInvalid = "TAG_INVALID"
    /// Not in the spec's table; distribution's code for range errors.
    case rangeInvalid = "RANGE_INVALID"
}

/// The error envelope `{"errors":[{"code","message","detail"}]}`.
public struct DistributionErrors: Codable, Sendable, Hashable {
    public var errors: [DistributionError]

    public init(errors: [DistributionError]) { self.errors = errors }
}

/// One entry of the error envelope.
public struct DistributionError: Codable, Sendable, Hashable {
    public var code: DistributionErrorCode
    public var message: String
    public var detail: String?

    public init(code: DistributionErrorCode, message: String, detail: String? = nil) {
        self.code = code
        self.message = message
        self.detail = detail
    }
}
