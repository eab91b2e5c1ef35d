// SPDX-License-Identifier: Apache-2.0
public import Layout

/// The media types, artifact types and annotation keys of cosign, Sigstore and notation signatures.
///
/// Spec: sigstore/cosign `specs/SIGNATURE_SPEC.md`, `specs/BUNDLE_SPEC.md`, `pkg/oci/static/signature.go`,
/// `pkg/oci/remote/write.go`; sigstore/protobuf-specs `sigstore_bundle.proto`.
public enum TrustMediaTypes {
    /// A legacy signature layer: the simple-signing payload (cosign 2, skopeo).
    public static let simpleSigning: MediaType = "application/vnd.dev.cosign.simplesigning.v1+json"
    /// A legacy attestation layer: a DSSE envelope (`cosign attest` without the new bundle format).
    public static let dsseEnvelope: MediaType = "application/vnd.dsse.envelope.v1+json"
    /// A Sigstore bundle v0.3: the bundle's own `mediaType`, its referrer's artifact type and layer type.
    public static let bundleV03: MediaType = "application/vnd.dev.sigstore.bundle.v0.3+json"
    /// The other spelling of v0.3 that protobuf-specs allows in a bundle's `mediaType`.
    public static let bundleV03Alternate: MediaType = "application/vnd.dev.sigstore.bundle+json;version=0.3"
    /// cosign's experimental OCI 1.1 signature referrer (`COSIGN_EXPERIMENTAL=1 cosign sign` with
    /// `--registry-referrers-mode=oci-1-1`): its artifact type and config media type.
    public static let cosignSignatureArtifact: MediaType = "application/vnd.dev.cosign.artifact.sig.v1+json"
    /// cosign's experimental OCI 1.1 attestation referrer.
    public static let cosignAttestationArtifact: MediaType = "application/vnd.dev.cosign.artifact.att.v1+json"
    /// A notation (Notary Project) signature referrer.
    public static let notationSignature: MediaType = "application/vnd.cncf.notary.signature"
    /// The DSSE payload type of an in-toto statement.
    public static let inTotoPayloadType = "application/vnd.in-toto+json"

    /// The layer annotation holding a legacy signature (base64).
    public static let signatureAnnotation = "dev.cosignproject.cosign/signature"
    /// The layer annotation of a legacy attestation naming its predicate type.
    public static let predicateTypeAnnotation = "predicateType"
    /// The manifest annotation of a bundle referrer naming its predicate type.
    public static let bundlePredicateTypeAnnotation = "dev.sigstore.bundle.predicateType"
    /// The manifest annotation of a bundle referrer saying what the bundle holds (`dsse-envelope`).
    public static let bundleContentAnnotation = "dev.sigstore.bundle.content"
}
