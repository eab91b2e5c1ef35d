// SPDX-License-Identifier: Apache-2.0
import HTTPTypes

/// Header names of the distribution spec (and the Docker registry API it came from).
extension HTTPField.Name {
    /// The digest of the blob or manifest in a response.
    static let dockerContentDigest = HTTPField.Name("Docker-Content-Digest")!
    /// `registry/2.0` on every /v2 response.
    static let dockerDistributionAPIVersion = HTTPField.Name("Docker-Distribution-API-Version")!
    /// The id of a blob upload session.
    static let dockerUploadUUID = HTTPField.Name("Docker-Upload-UUID")!
    /// The subject a pushed manifest refers to (the registry processed it for the referrers API).
    static let ociSubject = HTTPField.Name("OCI-Subject")!
    /// The filters a referrers response applied.
    static let ociFiltersApplied = HTTPField.Name("OCI-Filters-Applied")!
    /// A tag a manifest PUT by digest created.
    static let ociTag = HTTPField.Name("OCI-Tag")!
    /// RFC 5988 `Link` (pagination).
    static let link = HTTPField.Name("Link")!
}
