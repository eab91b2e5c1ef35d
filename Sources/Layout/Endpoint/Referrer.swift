// SPDX-License-Identifier: Apache-2.0
/// A manifest that refers to another: an entry of the referrers API, or of the fallback `sha256-<hex>` tag's
/// index, or one of cosign's legacy tags.
///
/// Cosign (before OCI 1.1) stores signatures, attestations and SBOMs as ordinary manifests without `subject`,
/// tagged `sha256-<hex>.sig`, `.att` and `.sbom` after the signed digest. ocitool reads them as referrers with
/// `legacyTag` set and an artifact type derived from the suffix
/// (`application/vnd.dev.cosign.artifact.sig.v1+json`, `….att.v1+json`, `….sbom.v1+json`), and copies them
/// under the same tag, so cosign finds them at the destination.
public struct Referrer: Sendable, Hashable {
    /// Media type, digest, size, artifact type and annotations, as the referrers API lists them.
    public var descriptor: Descriptor
    /// The cosign tag holding this manifest, for a legacy referrer.
    public var legacyTag: String?

    public init(descriptor: Descriptor, legacyTag: String? = nil) {
        self.descriptor = descriptor
        self.legacyTag = legacyTag
    }

    /// The cosign legacy tag suffixes and the artifact types ocitool gives them.
    public static let cosignSuffixes: [(suffix: String, artifactType: MediaType)] = [
        ("sig", "application/vnd.dev.cosign.artifact.sig.v1+json"),
        ("att", "application/vnd.dev.cosign.artifact.att.v1+json"),
        ("sbom", "application/vnd.dev.cosign.artifact.sbom.v1+json"),
    ]

    /// The image a cosign legacy tag (`sha256-<hex>.sig`, `.att`, `.sbom`) is attached to; nil for any other tag.
    package static func cosignSubject(ofTag tag: String) -> Digest? {
        guard let dot = tag.lastIndex(of: "."), cosignSuffixes.contains(where: { $0.suffix == tag[tag.index(after: dot)...] }),
            let dash = tag[..<dot].firstIndex(of: "-")
        else { return nil }
        return try? Digest("\(tag[..<dash]):\(tag[tag.index(after: dash)..<dot])")
    }

    /// `sha256-<hex>.sig` and its siblings for a subject.
    package static func cosignTags(of subject: Digest) -> [(tag: String, artifactType: MediaType)] {
        cosignSuffixes.map { ("\(subject.algorithm.rawValue)-\(subject.encoded).\($0.suffix)", $0.artifactType) }
    }
}
