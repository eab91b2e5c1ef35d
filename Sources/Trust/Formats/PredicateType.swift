// SPDX-License-Identifier: Apache-2.0
import Foundation

/// The predicate types of attestations, by the short names `cosign attest --type` takes, or any URI.
///
/// Spec: cosign `cmd/cosign/cli/options/predicate.go` (`PredicateTypeMap`), `pkg/cosign/attestation`.
public enum PredicateType {
    /// cosign's short names and their URIs.
    public static let known: [(name: String, uri: String)] = [
        ("spdx", "https://spdx.dev/Document"),
        ("spdxjson", "https://spdx.dev/Document"),
        ("cyclonedx", "https://cyclonedx.org/bom"),
        ("slsaprovenance", "https://slsa.dev/provenance/v0.2"),
        ("slsaprovenance02", "https://slsa.dev/provenance/v0.2"),
        ("slsaprovenance1", "https://slsa.dev/provenance/v1"),
        ("link", "https://in-toto.io/Link/v1"),
        ("openvex", "https://openvex.dev/ns"),
        ("vuln", "https://cosign.sigstore.dev/attestation/vuln/v1"),
        ("custom", "https://cosign.sigstore.dev/attestation/v1"),
    ]

    /// The predicate type of a cosign signature in the bundle format (not an attestation).
    public static let cosignSign = "https://sigstore.dev/cosign/sign/v1"

    /// The URI for a short name or a URI.
    /// - Throws: `TrustError.invalidArgument` for a name that is neither (listing the names).
    public static func uri(for nameOrURI: String) throws(TrustError) -> String {
        if let known = known.first(where: { $0.name == nameOrURI.lowercased() }) { return known.uri }
        guard let url = URL(string: nameOrURI), let scheme = url.scheme, !scheme.isEmpty, nameOrURI.contains(":") else {
            throw .invalidArgument(
                "unknown predicate type '\(nameOrURI)': use one of "
                    + known.map(\.name).joined(separator: ", ") + ", or a URI")
        }
        return nameOrURI
    }
}
