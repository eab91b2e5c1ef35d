// SPDX-License-Identifier: Apache-2.0
public import Layout

/// The promotion gate of `copy`, `sync` and `import --require-signature`: admits an image only when it has a
/// valid signature by one of the verifier's keys, in any form (`SignatureVerifier`), read from the same source
/// the image is copied from. Layout's engine asks it before writing anything of the image.
public struct SignatureRequirement: CopyGate {
    /// Finds and checks the signatures.
    public let verifier: SignatureVerifier
    /// What the signatures must name.
    public let identity: IdentityRequirement

    public init(verifier: SignatureVerifier, identity: IdentityRequirement) {
        self.verifier = verifier
        self.identity = identity
    }

    /// Verifies `descriptor` at `source`.
    /// - Throws: `TrustError.verificationFailed` with every candidate's reason (none found: "no signature
    ///   found"), `.tooManyCandidates`; the source's errors.
    public func admit(_ descriptor: Descriptor, from source: any ImageSource) throws {
        try verifier.verify(descriptor, in: source, identity: identity).requireVerified()
    }
}
