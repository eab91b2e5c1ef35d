// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
import Trust

/// The trust policy on pulls: a manifest of a gated repository is served only when signed by one of its
/// rule's keys (403 DENIED otherwise). Pushes are never refused (signatures arrive after their image), and what
/// clients fetch to verify stays readable: referrers (a `subject`) and the manifests under cosign's
/// `sha256-<hex>.sig`/`.att`/`.sbom` tags. A multi-arch index is judged by its own signature; a child it lists
/// is served for it.
///
/// Verdicts are kept per digest while the repository's index.json is unchanged (`TrustVerdicts`); a repeated
/// pull of a tag is answered by `ManifestResponseCache`, which holds only responses the policy allowed and
/// drops them on the same change, so it costs nothing more.
extension Registry {
    /// Throws 403 DENIED unless the manifest may be served under the trust policy.
    /// - Parameters:
    ///   - descriptor: the manifest resolved for the request.
    ///   - bytes: its bytes (parsed only when the repository is gated).
    ///   - reference: how the request named it.
    func requireTrusted(
        _ descriptor: Descriptor, bytes: Data, reference: DistributionRoute.Reference, name: String, layout: OCILayout
    ) async throws {
        guard let rule = trust?.rule(for: name) else { return }
        if case .tag(let tag) = reference, Referrer.cosignSubject(ofTag: tag) != nil { return }
        if try Manifest(bytes: bytes, declared: descriptor.mediaType).subject != nil { return }
        let (index, version) = try indexes.versionedIndex(of: layout)
        let underCosignTag = index.entries(for: descriptor.digest).contains { entry in
            entry.refName.map { Referrer.cosignSubject(ofTag: $0) != nil } ?? false
        }
        if underCosignTag { return }
        let refusal: String?
        if let version, let known = verdicts.verdict(descriptor.digest, in: name, version: version) {
            refusal = known.refusal
        } else {
            let judged = await io.run { () -> Result<String?, any Error> in
                Result { try Registry.refusal(of: descriptor, by: rule, in: layout, index: index, repository: name) }
            }
            refusal = try judged.get()
            if let version { verdicts.insert(.init(version: version, refusal: refusal), for: descriptor.digest, in: name) }
        }
        guard let refusal else { return }
        throw OCIError(
            .denied,
            "manifest \(name)@\(descriptor.digest) is not served: the trust policy \(rule.name) requires a signature "
                + "by one of its keys; \(refusal)")
    }

    /// Drops the verdicts a manifest push may change: its subject's (a referrer), or the image a cosign tag
    /// names.
    func signatureArrived(_ manifest: Manifest, tags: [String], in name: String) {
        guard trust != nil else { return }
        if let subject = manifest.subject { verdicts.invalidate(subject.digest, in: name) }
        for tag in tags {
            if let subject = Referrer.cosignSubject(ofTag: tag) { verdicts.invalidate(subject, in: name) }
        }
    }

    /// Why the manifest may not be served, or nil: its own signature, else that of an index listed in
    /// index.json that has it as a child. Blocking: reads signatures and index manifests.
    static func refusal(
        of descriptor: Descriptor, by rule: TrustPolicy.Rule, in layout: OCILayout, index: ImageIndex, repository: String
    ) throws -> String? {
        let source = LayoutEndpoint(layout)
        guard let refusal = try rule.refusal(of: descriptor, in: source, repository: repository) else { return nil }
        for entry in index.manifests where entry.mediaType.isIndex && entry.digest != descriptor.digest {
            guard case .index(let parent) = try layout.manifest(entry).kind,
                parent.manifests.contains(where: { $0.digest == descriptor.digest })
            else { continue }
            if try rule.refusal(of: entry, in: source, repository: repository) == nil { return nil }
        }
        return refusal
    }
}
