// SPDX-License-Identifier: Apache-2.0
import Foundation
public import Layout

/// Deleting manifests and tags, and keeping the referrers fallback tag in step.
///
/// Spec: https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md#deleting-tags and
/// https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md#deleting-manifests
extension RegistryClient {
    /// `DELETE /v2/NAME/manifests/REFERENCE`: by digest, the manifest with every tag on it; by tag, the tag
    /// alone (the manifest stays).
    /// - Returns: false when the repository has no such manifest or tag (404).
    /// - Throws: `.unsupported` when the registry refuses (405, or `UNSUPPORTED`; for a tag also distribution
    ///   2.x's 400 `DIGEST_INVALID`): it does not allow deleting tags, or deletes at all; the registry's other
    ///   errors.
    @discardableResult
    public func deleteManifest(_ repository: String, _ reference: ImageReference.Selector) throws(SyncError) -> Bool {
        let what: String
        switch reference {
        case .tag(let tag): what = "tag \(tag)"
        case .digest(let digest): what = "manifest \(digest)"
        }
        let request = RegistryRequest(
            method: "DELETE", url: url(repository, "manifests/\(reference)"),
            scopes: [RegistryClient.deleteScope(repository)], context: "deleting \(what) from \(name(repository))")
        let response = try send(request)
        if response.status == 404 { return false }
        if response.isSuccess { return true }
        let (codes, message) = RegistryClient.describeErrorBody(response.body)
        // Distribution 2.x reads the tag as a digest and answers 400 DIGEST_INVALID: it cannot delete tags.
        var tagAsDigest = false
        if case .tag = reference, response.status == 400, codes.contains(.digestInvalid) { tagAsDigest = true }
        guard response.status == 405 || codes.contains(.unsupported) || tagAsDigest else {
            throw failure(response, context: request.context)
        }
        let kind = if case .tag = reference { "tags" } else { "manifests" }
        throw .unsupported(
            host: registry,
            reason: "does not allow deleting \(kind) (\(request.context): it answered \(response.status)"
                + (message.isEmpty ? ")" : ": \(message))"))
    }

    /// The token scope a delete needs (`delete`, as distribution and ocitool's own registry ask).
    static func deleteScope(_ repository: String) -> String { "repository:\(repository):delete" }

    /// Takes a referrer out of its subject's fallback tag index (removing the tag when nothing is left), after
    /// the referrer was deleted; nothing when there is no such index or it does not list the referrer.
    public func removeFromReferrersFallback(_ repository: String, subject: Digest, referrer: Digest)
        throws(SyncError)
    {
        guard var index = try fallbackIndex(repository, subject: subject, forPush: true),
            index.manifests.contains(where: { $0.digest == referrer })
        else { return }
        index.manifests.removeAll { $0.digest == referrer }
        let tag = subject.referrersTag
        if index.manifests.isEmpty {
            guard let listed = try manifestDescriptor(repository, .tag(tag), forPush: true) else { return }
            try deleteManifest(repository, .digest(listed.digest))
            return
        }
        let bytes: Data
        do { bytes = try JSONEncoder.ocitool.encode(index) } catch {
            throw .invalidArgument("cannot encode the referrers index: \(error)")
        }
        let manifest = try layoutCall { () throws(LayoutError) in try Manifest(bytes: bytes, declared: .ociIndex) }
        try pushManifest(repository, manifest, reference: .tag(tag))
    }
}
